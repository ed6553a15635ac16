// Original file: proto/memory/v1/memory.proto

import type { TaskStatus__Input as _memory_v1_TaskStatus__Input, TaskStatus as _memory_v1_TaskStatus } from '../../memory/v1/TaskStatus';

export interface ListTasksRequest__Input {
  'userId'?: (string);
  'status'?: (_memory_v1_TaskStatus__Input);
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListTasksRequest {
  'userId': (string);
  'status': (_memory_v1_TaskStatus);
  'pageSize': (number);
  'pageToken': (string);
}
