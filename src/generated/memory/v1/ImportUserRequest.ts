// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface ImportUserRequest__Input {
  'userId'?: (string);
  'lines'?: (string)[];
  'firstLine'?: (number | string | Long);
}

export interface ImportUserRequest {
  'userId': (string);
  'lines': (string)[];
  'firstLine': (number);
}
