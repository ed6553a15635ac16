// Original file: proto/memory/v1/memory.proto


export interface ListAuditEventsRequest__Input {
  'userId'?: (string);
  'pageSize'?: (number);
  'pageToken'?: (string);
  'operation'?: (string);
}

export interface ListAuditEventsRequest {
  'userId': (string);
  'pageSize': (number);
  'pageToken': (string);
  'operation': (string);
}
