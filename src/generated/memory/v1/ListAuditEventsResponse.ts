// Original file: proto/memory/v1/memory.proto

import type { AuditEvent__Input as _memory_v1_AuditEvent__Input, AuditEvent as _memory_v1_AuditEvent } from '../../memory/v1/AuditEvent';

export interface ListAuditEventsResponse__Input {
  'events'?: (_memory_v1_AuditEvent__Input)[];
  'nextPageToken'?: (string);
}

export interface ListAuditEventsResponse {
  'events': (_memory_v1_AuditEvent)[];
  'nextPageToken': (string);
}
