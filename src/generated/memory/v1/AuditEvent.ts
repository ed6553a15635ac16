// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface AuditEvent__Input {
  'id'?: (string);
  'userId'?: (string);
  'actor'?: (string);
  'operation'?: (string);
  'memoryIds'?: (string)[];
  'requestId'?: (string);
  'atMs'?: (number | string | Long);
  'details'?: ({[key: string]: string});
}

export interface AuditEvent {
  'id': (string);
  'userId': (string);
  'actor': (string);
  'operation': (string);
  'memoryIds': (string)[];
  'requestId': (string);
  'atMs': (number);
  'details': ({[key: string]: string});
}
