// Original file: proto/memory/v1/memory.proto


export interface GetRelatedRequest__Input {
  'userId'?: (string);
  'id'?: (string);
  'topK'?: (number);
}

export interface GetRelatedRequest {
  'userId': (string);
  'id': (string);
  'topK': (number);
}
