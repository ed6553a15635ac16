// Original file: proto/memory/v1/memory.proto

import type { MemoryInput__Input as _memory_v1_MemoryInput__Input, MemoryInput as _memory_v1_MemoryInput } from '../../memory/v1/MemoryInput';

export interface RememberRequest__Input {
  'userId'?: (string);
  'memory'?: (_memory_v1_MemoryInput__Input | null);
}

export interface RememberRequest {
  'userId': (string);
  'memory': (_memory_v1_MemoryInput | null);
}
