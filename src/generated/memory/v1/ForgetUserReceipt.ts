// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface ForgetUserReceipt__Input {
  'userId'?: (string);
  'memoriesDeleted'?: (number | string | Long);
  'cacheEntriesDropped'?: (number | string | Long);
  'tasksDeleted'?: (number | string | Long);
  'archivedDeleted'?: (number | string | Long);
  'precomputedDeleted'?: (number | string | Long);
  'completedAtMs'?: (number | string | Long);
  'archive'?: (string);
}

export interface ForgetUserReceipt {
  'userId': (string);
  'memoriesDeleted': (number);
  'cacheEntriesDropped': (number);
  'tasksDeleted': (number);
  'archivedDeleted': (number);
  'precomputedDeleted': (number);
  'completedAtMs': (number);
  'archive': (string);
}
