// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface BackgroundJobsState__Input {
  'pausedUntilMs'?: (number | string | Long);
  'running'?: (number);
  'queued'?: (number);
}

export interface BackgroundJobsState {
  'pausedUntilMs': (number);
  'running': (number);
  'queued': (number);
}
