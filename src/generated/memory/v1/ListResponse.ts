// Original file: proto/memory/v1/memory.proto

import type { Memory__Input as _memory_v1_Memory__Input, Memory as _memory_v1_Memory } from '../../memory/v1/Memory';

export interface ListResponse__Input {
  'memories'?: (_memory_v1_Memory__Input)[];
  'nextPageToken'?: (string);
}

export interface ListResponse {
  'memories': (_memory_v1_Memory)[];
  'nextPageToken': (string);
}
