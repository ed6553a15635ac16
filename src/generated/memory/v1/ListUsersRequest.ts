// Original file: proto/memory/v1/memory.proto


export interface ListUsersRequest__Input {
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListUsersRequest {
  'pageSize': (number);
  'pageToken': (string);
}
