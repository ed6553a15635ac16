// Original file: proto/memory/v1/memory.proto

import type { TaskStatus__Input as _memory_v1_TaskStatus__Input, TaskStatus as _memory_v1_TaskStatus } from '../../memory/v1/TaskStatus';
import type { Long } from '@grpc/proto-loader';

export interface Task__Input {
  'id'?: (string);
  'userId'?: (string);
  'agentId'?: (string);
  'title'?: (string);
  'status'?: (_memory_v1_TaskStatus__Input);
  'createdAtMs'?: (number | string | Long);
  'updatedAtMs'?: (number | string | Long);
  'finishedAtMs'?: (number | string | Long);
  'metadata'?: ({[key: string]: string});
}

export interface Task {
  'id': (string);
  'userId': (string);
  'agentId': (string);
  'title': (string);
  'status': (_memory_v1_TaskStatus);
  'createdAtMs': (number);
  'updatedAtMs': (number);
  'finishedAtMs': (number);
  'metadata': ({[key: string]: string});
}
