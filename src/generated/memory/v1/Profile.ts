// Original file: proto/memory/v1/memory.proto

import type { Memory__Input as _memory_v1_Memory__Input, Memory as _memory_v1_Memory } from '../../memory/v1/Memory';
import type { EntityCount__Input as _memory_v1_EntityCount__Input, EntityCount as _memory_v1_EntityCount } from '../../memory/v1/EntityCount';
import type { TopicRef__Input as _memory_v1_TopicRef__Input, TopicRef as _memory_v1_TopicRef } from '../../memory/v1/TopicRef';
import type { Tier__Input as _memory_v1_Tier__Input, Tier as _memory_v1_Tier } from '../../memory/v1/Tier';
import type { Long } from '@grpc/proto-loader';

export interface Profile__Input {
  'userId'?: (string);
  'topMemories'?: (_memory_v1_Memory__Input)[];
  'recentMemories'?: (_memory_v1_Memory__Input)[];
  'activeTopics'?: (string)[];
  'summary'?: (string);
  'compiledAtMs'?: (number | string | Long);
  'preferences'?: (_memory_v1_Memory__Input)[];
  'entities'?: (_memory_v1_EntityCount__Input)[];
  'topics'?: (_memory_v1_TopicRef__Input)[];
  'summaryTokens'?: (number);
  'memoryCount'?: (number | string | Long);
  'generator'?: (string);
  'tier'?: (_memory_v1_Tier__Input);
}

export interface Profile {
  'userId': (string);
  'topMemories': (_memory_v1_Memory)[];
  'recentMemories': (_memory_v1_Memory)[];
  'activeTopics': (string)[];
  'summary': (string);
  'compiledAtMs': (number);
  'preferences': (_memory_v1_Memory)[];
  'entities': (_memory_v1_EntityCount)[];
  'topics': (_memory_v1_TopicRef)[];
  'summaryTokens': (number);
  'memoryCount': (number);
  'generator': (string);
  'tier': (_memory_v1_Tier);
}
