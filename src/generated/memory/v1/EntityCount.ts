// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface EntityCount__Input {
  'name'?: (string);
  'count'?: (number | string | Long);
}

export interface EntityCount {
  'name': (string);
  'count': (number);
}
