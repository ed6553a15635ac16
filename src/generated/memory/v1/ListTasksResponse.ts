// Original file: proto/memory/v1/memory.proto

import type { Task__Input as _memory_v1_Task__Input, Task as _memory_v1_Task } from '../../memory/v1/Task';

export interface ListTasksResponse__Input {
  'tasks'?: (_memory_v1_Task__Input)[];
  'nextPageToken'?: (string);
}

export interface ListTasksResponse {
  'tasks': (_memory_v1_Task)[];
  'nextPageToken': (string);
}
