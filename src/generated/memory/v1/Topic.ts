// Original file: proto/memory/v1/memory.proto

import type { Long } from '@grpc/proto-loader';

export interface Topic__Input {
  'id'?: (string);
  'label'?: (string);
  'summary'?: (string);
  'memberIds'?: (string)[];
  'centroid'?: (number | string)[];
  'size'?: (number);
  'terms'?: (string)[];
  'generatedAtMs'?: (number | string | Long);
  'generator'?: (string);
}

export interface Topic {
  'id': (string);
  'label': (string);
  'summary': (string);
  'memberIds': (string)[];
  'centroid': (number)[];
  'size': (number);
  'terms': (string)[];
  'generatedAtMs': (number);
  'generator': (string);
}
