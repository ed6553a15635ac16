// Original file: proto/memory/v1/memory.proto


export interface CreateTaskRequest__Input {
  'userId'?: (string);
  'id'?: (string);
  'agentId'?: (string);
  'title'?: (string);
  'metadata'?: ({[key: string]: string});
}

export interface CreateTaskRequest {
  'userId': (string);
  'id': (string);
  'agentId': (string);
  'title': (string);
  'metadata': ({[key: string]: string});
}
