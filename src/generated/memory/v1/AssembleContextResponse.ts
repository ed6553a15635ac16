// Original file: proto/memory/v1/memory.proto

import type { ContextSection__Input as _memory_v1_ContextSection__Input, ContextSection as _memory_v1_ContextSection } from '../../memory/v1/ContextSection';
import type { MissingSection__Input as _memory_v1_MissingSection__Input, MissingSection as _memory_v1_MissingSection } from '../../memory/v1/MissingSection';

export interface AssembleContextResponse__Input {
  'sections'?: (_memory_v1_ContextSection__Input)[];
  'text'?: (string);
  'tokens'?: (number);
  'missing'?: (_memory_v1_MissingSection__Input)[];
  'tokenBudget'?: (number);
  'tokenizer'?: (string);
  'tookMs'?: (number | string);
}

export interface AssembleContextResponse {
  'sections': (_memory_v1_ContextSection)[];
  'text': (string);
  'tokens': (number);
  'missing': (_memory_v1_MissingSection)[];
  'tokenBudget': (number);
  'tokenizer': (string);
  'tookMs': (number);
}
