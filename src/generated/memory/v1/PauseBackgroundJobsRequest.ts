// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface PauseBackgroundJobsRequest__Input {
  'durationMs'?: (number | string | Long);
}

export interface PauseBackgroundJobsRequest {
  'durationMs': (number);
}
