// Original file: proto/memory/v1/memory.proto


export interface TriggerPrecomputeRequest__Input {
  'userId'?: (string);
  'job'?: (string);
  'dryRun'?: (boolean);
}

export interface TriggerPrecomputeRequest {
  'userId': (string);
  'job': (string);
  'dryRun': (boolean);
}
