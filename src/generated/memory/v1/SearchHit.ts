// Original file: proto/memory/v1/memory.proto

import type { Memory__Input as _memory_v1_Memory__Input, Memory as _memory_v1_Memory } from '../../memory/v1/Memory';

export interface SearchHit__Input {
  'memory'?: (_memory_v1_Memory__Input | null);
  'score'?: (number | string);
  'similarity'?: (number | string);
  'keywordScore'?: (number | string);
  'retrievers'?: (string)[];
  'archived'?: (boolean);
}

export interface SearchHit {
  'memory': (_memory_v1_Memory | null);
  'score': (number);
  'similarity': (number);
  'keywordScore': (number);
  'retrievers': (string)[];
  'archived': (boolean);
}
