// Original file: proto/memory/v1/memory.proto

import type { SearchRequest__Input as _memory_v1_SearchRequest__Input, SearchRequest as _memory_v1_SearchRequest } from '../../memory/v1/SearchRequest';

export interface SearchBatchRequest__Input {
  'searches'?: (_memory_v1_SearchRequest__Input)[];
}

export interface SearchBatchRequest {
  'searches': (_memory_v1_SearchRequest)[];
}
