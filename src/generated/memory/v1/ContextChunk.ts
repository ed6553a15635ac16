// Original file: proto/memory/v1/memory.proto

import type { ContextSection__Input as _memory_v1_ContextSection__Input, ContextSection as _memory_v1_ContextSection } from '../../memory/v1/ContextSection';

export interface ContextChunk__Input {
  'stage'?: (number);
  'section'?: (_memory_v1_ContextSection__Input | null);
}

export interface ContextChunk {
  'stage': (number);
  'section': (_memory_v1_ContextSection | null);
}
