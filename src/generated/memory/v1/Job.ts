// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface Job__Input {
  'id'?: (string);
  'userId'?: (string);
  'kind'?: (string);
  'status'?: (string);
  'startedAtMs'?: (number | string | Long);
  'finishedAtMs'?: (number | string | Long);
  'error'?: (string);
  'trigger'?: (string);
  'queuedAtMs'?: (number | string | Long);
  'counts'?: ({[key: string]: number | string});
}

export interface Job {
  'id': (string);
  'userId': (string);
  'kind': (string);
  'status': (string);
  'startedAtMs': (number);
  'finishedAtMs': (number);
  'error': (string);
  'trigger': (string);
  'queuedAtMs': (number);
  'counts': ({[key: string]: number});
}
