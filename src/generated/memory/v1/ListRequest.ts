// Original file: proto/memory/v1/memory.proto

import type { Filter__Input as _memory_v1_Filter__Input, Filter as _memory_v1_Filter } from '../../memory/v1/Filter';

export interface ListRequest__Input {
  'userId'?: (string);
  'filter'?: (_memory_v1_Filter__Input | null);
  'pageSize'?: (number);
  'pageToken'?: (string);
  'oldestFirst'?: (boolean);
  'includeEmbedding'?: (boolean);
}

export interface ListRequest {
  'userId': (string);
  'filter': (_memory_v1_Filter | null);
  'pageSize': (number);
  'pageToken': (string);
  'oldestFirst': (boolean);
  'includeEmbedding': (boolean);
}
