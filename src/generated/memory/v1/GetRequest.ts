// Original file: proto/memory/v1/memory.proto


export interface GetRequest__Input {
  'userId'?: (string);
  'id'?: (string);
  'includeEmbedding'?: (boolean);
}

export interface GetRequest {
  'userId': (string);
  'id': (string);
  'includeEmbedding': (boolean);
}
