// Original file: proto/memory/v1/memory.proto

import type { ContextSection__Input as _memory_v1_ContextSection__Input, ContextSection as _memory_v1_ContextSection } from '../../memory/v1/ContextSection';
import type { MissingSection__Input as _memory_v1_MissingSection__Input, MissingSection as _memory_v1_MissingSection } from '../../memory/v1/MissingSection';

export interface ContextChunk__Input {
  'stage'?: (number);
  'section'?: (_memory_v1_ContextSection__Input | null);
  'tokensSoFar'?: (number);
  'missing'?: (_memory_v1_MissingSection__Input)[];
  'done'?: (boolean);
  'tokenizer'?: (string);
  'tookMs'?: (number | string);
}

export interface ContextChunk {
  'stage': (number);
  'section': (_memory_v1_ContextSection | null);
  'tokensSoFar': (number);
  'missing': (_memory_v1_MissingSection)[];
  'done': (boolean);
  'tokenizer': (string);
  'tookMs': (number);
}
