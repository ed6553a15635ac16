// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface RestoreResponse__Input {
  'restoredCount'?: (number | string | Long);
  'restoredIds'?: (string)[];
}

export interface RestoreResponse {
  'restoredCount': (number);
  'restoredIds': (string)[];
}
