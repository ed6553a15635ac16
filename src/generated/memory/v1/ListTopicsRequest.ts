// Original file: proto/memory/v1/memory.proto


export interface ListTopicsRequest__Input {
  'userId'?: (string);
}

export interface ListTopicsRequest {
  'userId': (string);
}
