// Original file: proto/memory/v1/memory.proto


export interface WarmSessionResponse__Input {
  'memoriesLoaded'?: (number);
}

export interface WarmSessionResponse {
  'memoriesLoaded': (number);
}
