// Original file: proto/memory/v1/memory.proto


export interface ListUsersResponse__Input {
  'userIds'?: (string)[];
  'nextPageToken'?: (string);
}

export interface ListUsersResponse {
  'userIds': (string)[];
  'nextPageToken': (string);
}
