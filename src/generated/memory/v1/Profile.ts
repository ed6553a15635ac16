// Original file: proto/memory/v1/memory.proto

import type { Memory__Input as _memory_v1_Memory__Input, Memory as _memory_v1_Memory } from '../../memory/v1/Memory';
import type { Long } from '@grpc/proto-loader';

export interface Profile__Input {
  'userId'?: (string);
  'topMemories'?: (_memory_v1_Memory__Input)[];
  'recentMemories'?: (_memory_v1_Memory__Input)[];
  'activeTopics'?: (string)[];
  'summary'?: (string);
  'compiledAtMs'?: (number | string | Long);
}

export interface Profile {
  'userId': (string);
  'topMemories': (_memory_v1_Memory)[];
  'recentMemories': (_memory_v1_Memory)[];
  'activeTopics': (string)[];
  'summary': (string);
  'compiledAtMs': (number);
}
