// Original file: proto/memory/v1/memory.proto


export interface GetSummaryRequest__Input {
  'userId'?: (string);
  'kind'?: (string);
  'key'?: (string);
}

export interface GetSummaryRequest {
  'userId': (string);
  'kind': (string);
  'key': (string);
}
