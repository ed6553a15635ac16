// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface RememberResponse__Input {
  'id'?: (string);
  'version'?: (number | string | Long);
  'created'?: (boolean);
}

export interface RememberResponse {
  'id': (string);
  'version': (number);
  'created': (boolean);
}
