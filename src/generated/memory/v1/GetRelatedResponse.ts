// Original file: proto/memory/v1/memory.proto

import type { SearchHit__Input as _memory_v1_SearchHit__Input, SearchHit as _memory_v1_SearchHit } from '../../memory/v1/SearchHit';

export interface GetRelatedResponse__Input {
  'hits'?: (_memory_v1_SearchHit__Input)[];
  'precomputed'?: (boolean);
}

export interface GetRelatedResponse {
  'hits': (_memory_v1_SearchHit)[];
  'precomputed': (boolean);
}
