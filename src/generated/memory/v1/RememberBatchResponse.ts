// Original file: proto/memory/v1/memory.proto

import type { RememberResponse__Input as _memory_v1_RememberResponse__Input, RememberResponse as _memory_v1_RememberResponse } from '../../memory/v1/RememberResponse';

export interface RememberBatchResponse__Input {
  'results'?: (_memory_v1_RememberResponse__Input)[];
}

export interface RememberBatchResponse {
  'results': (_memory_v1_RememberResponse)[];
}
