// Original file: proto/memory/v1/memory.proto

import type { MemoryInput__Input as _memory_v1_MemoryInput__Input, MemoryInput as _memory_v1_MemoryInput } from '../../memory/v1/MemoryInput';

export interface RememberBatchRequest__Input {
  'userId'?: (string);
  'items'?: (_memory_v1_MemoryInput__Input)[];
}

export interface RememberBatchRequest {
  'userId': (string);
  'items': (_memory_v1_MemoryInput)[];
}
