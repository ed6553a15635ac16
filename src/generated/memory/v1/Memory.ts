// Original file: proto/memory/v1/memory.proto

import type { Scope__Input as _memory_v1_Scope__Input, Scope as _memory_v1_Scope } from '../../memory/v1/Scope';
import type { Long } from '@grpc/proto-loader';

export interface Memory__Input {
  'id'?: (string);
  'userId'?: (string);
  'agentId'?: (string);
  'sessionId'?: (string);
  'taskId'?: (string);
  'scope'?: (_memory_v1_Scope__Input);
  'namespace'?: (string);
  'content'?: (string);
  'embedding'?: (number | string)[];
  'kind'?: (string);
  'importance'?: (number | string);
  'confidence'?: (number | string);
  'tags'?: (string)[];
  'entities'?: (string)[];
  'createdAtMs'?: (number | string | Long);
  'updatedAtMs'?: (number | string | Long);
  'accessedAtMs'?: (number | string | Long);
  'accessCount'?: (number | string | Long);
  'expiresAtMs'?: (number | string | Long);
  'pinned'?: (boolean);
  'version'?: (number | string | Long);
  'metadata'?: ({[key: string]: string});
  'supersededBy'?: (string);
  'validUntilMs'?: (number | string | Long);
}

export interface Memory {
  'id': (string);
  'userId': (string);
  'agentId': (string);
  'sessionId': (string);
  'taskId': (string);
  'scope': (_memory_v1_Scope);
  'namespace': (string);
  'content': (string);
  'embedding': (number)[];
  'kind': (string);
  'importance': (number);
  'confidence': (number);
  'tags': (string)[];
  'entities': (string)[];
  'createdAtMs': (number);
  'updatedAtMs': (number);
  'accessedAtMs': (number);
  'accessCount': (number);
  'expiresAtMs': (number);
  'pinned': (boolean);
  'version': (number);
  'metadata': ({[key: string]: string});
  'supersededBy': (string);
  'validUntilMs': (number);
}
