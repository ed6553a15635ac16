// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface ImportUserResponse__Input {
  'memories'?: (number | string | Long);
  'unchanged'?: (number | string | Long);
  'tasks'?: (number | string | Long);
  'auditEvents'?: (number | string | Long);
}

export interface ImportUserResponse {
  'memories': (number);
  'unchanged': (number);
  'tasks': (number);
  'auditEvents': (number);
}
