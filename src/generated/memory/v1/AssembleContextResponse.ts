// Original file: proto/memory/v1/memory.proto

import type { ContextSection__Input as _memory_v1_ContextSection__Input, ContextSection as _memory_v1_ContextSection } from '../../memory/v1/ContextSection';

export interface AssembleContextResponse__Input {
  'sections'?: (_memory_v1_ContextSection__Input)[];
  'text'?: (string);
  'tokens'?: (number);
}

export interface AssembleContextResponse {
  'sections': (_memory_v1_ContextSection)[];
  'text': (string);
  'tokens': (number);
}
