// Original file: proto/memory/v1/memory.proto

import type { SearchResponse__Input as _memory_v1_SearchResponse__Input, SearchResponse as _memory_v1_SearchResponse } from '../../memory/v1/SearchResponse';

export interface SearchBatchResponse__Input {
  'results'?: (_memory_v1_SearchResponse__Input)[];
}

export interface SearchBatchResponse {
  'results': (_memory_v1_SearchResponse)[];
}
