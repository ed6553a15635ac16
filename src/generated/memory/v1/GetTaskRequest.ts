// Original file: proto/memory/v1/memory.proto


export interface GetTaskRequest__Input {
  'userId'?: (string);
  'id'?: (string);
}

export interface GetTaskRequest {
  'userId': (string);
  'id': (string);
}
