// Original file: proto/memory/v1/memory.proto

import type { Scope__Input as _memory_v1_Scope__Input, Scope as _memory_v1_Scope } from '../../memory/v1/Scope';
import type { Long } from '@grpc/proto-loader';

export interface UpdateRequest__Input {
  'userId'?: (string);
  'id'?: (string);
  'expectedVersion'?: (number | string | Long);
  'correction'?: (boolean);
  'content'?: (string);
  'kind'?: (string);
  'importance'?: (number | string);
  'confidence'?: (number | string);
  'namespace'?: (string);
  'scope'?: (_memory_v1_Scope__Input);
  'pinned'?: (boolean);
  'expiresAtMs'?: (number | string | Long);
  'replaceTags'?: (boolean);
  'tags'?: (string)[];
  'replaceEntities'?: (boolean);
  'entities'?: (string)[];
  'replaceMetadata'?: (boolean);
  'metadata'?: ({[key: string]: string});
  'embedding'?: (number | string)[];
  'supersedes'?: (string)[];
  '_content'?: "content";
  '_kind'?: "kind";
  '_importance'?: "importance";
  '_confidence'?: "confidence";
  '_namespace'?: "namespace";
  '_scope'?: "scope";
  '_pinned'?: "pinned";
  '_expiresAtMs'?: "expiresAtMs";
}

export interface UpdateRequest {
  'userId': (string);
  'id': (string);
  'expectedVersion': (number);
  'correction': (boolean);
  'content'?: (string);
  'kind'?: (string);
  'importance'?: (number);
  'confidence'?: (number);
  'namespace'?: (string);
  'scope'?: (_memory_v1_Scope);
  'pinned'?: (boolean);
  'expiresAtMs'?: (number);
  'replaceTags': (boolean);
  'tags': (string)[];
  'replaceEntities': (boolean);
  'entities': (string)[];
  'replaceMetadata': (boolean);
  'metadata': ({[key: string]: string});
  'embedding': (number)[];
  'supersedes': (string)[];
  '_content'?: "content";
  '_kind'?: "kind";
  '_importance'?: "importance";
  '_confidence'?: "confidence";
  '_namespace'?: "namespace";
  '_scope'?: "scope";
  '_pinned'?: "pinned";
  '_expiresAtMs'?: "expiresAtMs";
}
