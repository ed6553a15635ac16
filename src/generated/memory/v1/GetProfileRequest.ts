// Original file: proto/memory/v1/memory.proto


export interface GetProfileRequest__Input {
  'userId'?: (string);
}

export interface GetProfileRequest {
  'userId': (string);
}
