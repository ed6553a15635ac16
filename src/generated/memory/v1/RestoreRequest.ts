// Original file: proto/memory/v1/memory.proto

import type { Filter__Input as _memory_v1_Filter__Input, Filter as _memory_v1_Filter } from '../../memory/v1/Filter';

export interface RestoreRequest__Input {
  'userId'?: (string);
  'ids'?: (string)[];
  'filter'?: (_memory_v1_Filter__Input | null);
}

export interface RestoreRequest {
  'userId': (string);
  'ids': (string)[];
  'filter': (_memory_v1_Filter | null);
}
