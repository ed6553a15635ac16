// Original file: proto/memory/v1/memory.proto


export interface GetJobRequest__Input {
  'jobId'?: (string);
  'userId'?: (string);
}

export interface GetJobRequest {
  'jobId': (string);
  'userId': (string);
}
