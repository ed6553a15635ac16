// Original file: proto/memory/v1/memory.proto

import type { ConversationTurn__Input as _memory_v1_ConversationTurn__Input, ConversationTurn as _memory_v1_ConversationTurn } from '../../memory/v1/ConversationTurn';
import type { SectionRequest__Input as _memory_v1_SectionRequest__Input, SectionRequest as _memory_v1_SectionRequest } from '../../memory/v1/SectionRequest';
import type { Long } from '@grpc/proto-loader';

export interface AssembleContextRequest__Input {
  'userId'?: (string);
  'query'?: (string);
  'tokenBudget'?: (number);
  'sessionId'?: (string);
  'recentTurns'?: (_memory_v1_ConversationTurn__Input)[];
  'sections'?: (_memory_v1_SectionRequest__Input)[];
  'referenceTimeMs'?: (number | string | Long);
  'queryVector'?: (number | string)[];
}

export interface AssembleContextRequest {
  'userId': (string);
  'query': (string);
  'tokenBudget': (number);
  'sessionId': (string);
  'recentTurns': (_memory_v1_ConversationTurn)[];
  'sections': (_memory_v1_SectionRequest)[];
  'referenceTimeMs': (number);
  'queryVector': (number)[];
}
