// Original file: proto/memory/v1/memory.proto

import type { Topic__Input as _memory_v1_Topic__Input, Topic as _memory_v1_Topic } from '../../memory/v1/Topic';
import type { Tier__Input as _memory_v1_Tier__Input, Tier as _memory_v1_Tier } from '../../memory/v1/Tier';

export interface ListTopicsResponse__Input {
  'topics'?: (_memory_v1_Topic__Input)[];
  'tier'?: (_memory_v1_Tier__Input);
}

export interface ListTopicsResponse {
  'topics': (_memory_v1_Topic)[];
  'tier': (_memory_v1_Tier);
}
