// Original file: proto/memory/v1/memory.proto


export interface WarmSessionRequest__Input {
  'userId'?: (string);
  'sessionId'?: (string);
}

export interface WarmSessionRequest {
  'userId': (string);
  'sessionId': (string);
}
