// Original file: proto/memory/v1/memory.proto

import type { TaskStatus__Input as _memory_v1_TaskStatus__Input, TaskStatus as _memory_v1_TaskStatus } from '../../memory/v1/TaskStatus';

export interface UpdateTaskStatusRequest__Input {
  'userId'?: (string);
  'id'?: (string);
  'status'?: (_memory_v1_TaskStatus__Input);
}

export interface UpdateTaskStatusRequest {
  'userId': (string);
  'id': (string);
  'status': (_memory_v1_TaskStatus);
}
