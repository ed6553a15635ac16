// Original file: proto/memory/v1/memory.proto

import type { Scope__Input as _memory_v1_Scope__Input, Scope as _memory_v1_Scope } from '../../memory/v1/Scope';
import type { Long } from '@grpc/proto-loader';

export interface MemoryInput__Input {
  'id'?: (string);
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
  'expiresAtMs'?: (number | string | Long);
  'ttlSeconds'?: (number | string | Long);
  'pinned'?: (boolean);
  'metadata'?: ({[key: string]: string});
  'supersedes'?: (string)[];
  '_importance'?: "importance";
  '_confidence'?: "confidence";
}

export interface MemoryInput {
  'id': (string);
  'agentId': (string);
  'sessionId': (string);
  'taskId': (string);
  'scope': (_memory_v1_Scope);
  'namespace': (string);
  'content': (string);
  'embedding': (number)[];
  'kind': (string);
  'importance'?: (number);
  'confidence'?: (number);
  'tags': (string)[];
  'entities': (string)[];
  'expiresAtMs': (number);
  'ttlSeconds': (number);
  'pinned': (boolean);
  'metadata': ({[key: string]: string});
  'supersedes': (string)[];
  '_importance'?: "importance";
  '_confidence'?: "confidence";
}
