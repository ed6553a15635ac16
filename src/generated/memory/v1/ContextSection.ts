// Original file: proto/memory/v1/memory.proto

import type { Memory__Input as _memory_v1_Memory__Input, Memory as _memory_v1_Memory } from '../../memory/v1/Memory';
import type { Tier__Input as _memory_v1_Tier__Input, Tier as _memory_v1_Tier } from '../../memory/v1/Tier';

export interface ContextSection__Input {
  'name'?: (string);
  'memories'?: (_memory_v1_Memory__Input)[];
  'text'?: (string);
  'tier'?: (_memory_v1_Tier__Input);
  'tokens'?: (number);
  'scores'?: (number | string)[];
  'detail'?: (string);
}

export interface ContextSection {
  'name': (string);
  'memories': (_memory_v1_Memory)[];
  'text': (string);
  'tier': (_memory_v1_Tier);
  'tokens': (number);
  'scores': (number)[];
  'detail': (string);
}
