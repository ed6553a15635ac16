// Original file: proto/memory/v1/memory.proto

import type { SearchHit__Input as _memory_v1_SearchHit__Input, SearchHit as _memory_v1_SearchHit } from '../../memory/v1/SearchHit';
import type { Tier__Input as _memory_v1_Tier__Input, Tier as _memory_v1_Tier } from '../../memory/v1/Tier';

export interface SearchResponse__Input {
  'hits'?: (_memory_v1_SearchHit__Input)[];
  'tier'?: (_memory_v1_Tier__Input);
  'tookMs'?: (number | string);
  'similarQueryCosine'?: (number | string);
}

export interface SearchResponse {
  'hits': (_memory_v1_SearchHit)[];
  'tier': (_memory_v1_Tier);
  'tookMs': (number);
  'similarQueryCosine': (number);
}
