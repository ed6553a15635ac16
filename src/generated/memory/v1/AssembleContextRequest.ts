// Original file: proto/memory/v1/memory.proto


export interface AssembleContextRequest__Input {
  'userId'?: (string);
  'query'?: (string);
  'tokenBudget'?: (number);
  'sessionId'?: (string);
}

export interface AssembleContextRequest {
  'userId': (string);
  'query': (string);
  'tokenBudget': (number);
  'sessionId': (string);
}
