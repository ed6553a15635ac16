// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface ForgetResponse__Input {
  'deletedCount'?: (number | string | Long);
  'deletedIds'?: (string)[];
}

export interface ForgetResponse {
  'deletedCount': (number);
  'deletedIds': (string)[];
}
