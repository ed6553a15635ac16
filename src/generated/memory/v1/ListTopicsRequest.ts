// Original file: proto/memory/v1/memory.proto


export interface ListTopicsRequest__Input {
  'userId'?: (string);
  'includeMembers'?: (boolean);
  'includeCentroid'?: (boolean);
}

export interface ListTopicsRequest {
  'userId': (string);
  'includeMembers': (boolean);
  'includeCentroid': (boolean);
}
