// Original file: proto/memory/v1/memory.proto

import type { Topic__Input as _memory_v1_Topic__Input, Topic as _memory_v1_Topic } from '../../memory/v1/Topic';

export interface ListTopicsResponse__Input {
  'topics'?: (_memory_v1_Topic__Input)[];
}

export interface ListTopicsResponse {
  'topics': (_memory_v1_Topic)[];
}
