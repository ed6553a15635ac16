// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface Summary__Input {
  'kind'?: (string);
  'key'?: (string);
  'text'?: (string);
  'generatedAtMs'?: (number | string | Long);
}

export interface Summary {
  'kind': (string);
  'key': (string);
  'text': (string);
  'generatedAtMs': (number);
}
