// Original file: proto/memory/v1/memory.proto

import type { Scope__Input as _memory_v1_Scope__Input, Scope as _memory_v1_Scope } from '../../memory/v1/Scope';
import type { Long } from '@grpc/proto-loader';

export interface Filter__Input {
  'scopes'?: (_memory_v1_Scope__Input)[];
  'namespaces'?: (string)[];
  'kinds'?: (string)[];
  'tagsAny'?: (string)[];
  'tagsAll'?: (string)[];
  'entitiesAny'?: (string)[];
  'agentId'?: (string);
  'sessionId'?: (string);
  'taskId'?: (string);
  'createdAfterMs'?: (number | string | Long);
  'createdBeforeMs'?: (number | string | Long);
  'minImportance'?: (number | string);
  'maxImportance'?: (number | string);
  'pinned'?: (boolean);
  'ids'?: (string)[];
  'includeSuperseded'?: (boolean);
  '_minImportance'?: "minImportance";
  '_maxImportance'?: "maxImportance";
  '_pinned'?: "pinned";
}

export interface Filter {
  'scopes': (_memory_v1_Scope)[];
  'namespaces': (string)[];
  'kinds': (string)[];
  'tagsAny': (string)[];
  'tagsAll': (string)[];
  'entitiesAny': (string)[];
  'agentId': (string);
  'sessionId': (string);
  'taskId': (string);
  'createdAfterMs': (number);
  'createdBeforeMs': (number);
  'minImportance'?: (number);
  'maxImportance'?: (number);
  'pinned'?: (boolean);
  'ids': (string)[];
  'includeSuperseded': (boolean);
  '_minImportance'?: "minImportance";
  '_maxImportance'?: "maxImportance";
  '_pinned'?: "pinned";
}
