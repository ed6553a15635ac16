// Original file: proto/memory/v1/memory.proto

import type { Tier__Input as _memory_v1_Tier__Input, Tier as _memory_v1_Tier } from '../../memory/v1/Tier';
import type { Long } from '@grpc/proto-loader';

export interface Summary__Input {
  'kind'?: (string);
  'key'?: (string);
  'text'?: (string);
  'generatedAtMs'?: (number | string | Long);
  'sourceIds'?: (string)[];
  'generator'?: (string);
  'memoryCount'?: (number | string | Long);
  'tier'?: (_memory_v1_Tier__Input);
}

export interface Summary {
  'kind': (string);
  'key': (string);
  'text': (string);
  'generatedAtMs': (number);
  'sourceIds': (string)[];
  'generator': (string);
  'memoryCount': (number);
  'tier': (_memory_v1_Tier);
}
