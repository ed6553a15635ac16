// Original file: proto/memory/v1/memory.proto


export interface TriggerPrecomputeRequest__Input {
  'userId'?: (string);
  'job'?: (string);
}

export interface TriggerPrecomputeRequest {
  'userId': (string);
  'job': (string);
}
