// Original file: proto/memory/v1/memory.proto


export interface ForgetUserRequest__Input {
  'userId'?: (string);
}

export interface ForgetUserRequest {
  'userId': (string);
}
