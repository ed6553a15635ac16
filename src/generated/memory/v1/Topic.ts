// Original file: proto/memory/v1/memory.proto


export interface Topic__Input {
  'id'?: (string);
  'label'?: (string);
  'summary'?: (string);
  'memberIds'?: (string)[];
  'centroid'?: (number | string)[];
}

export interface Topic {
  'id': (string);
  'label': (string);
  'summary': (string);
  'memberIds': (string)[];
  'centroid': (number)[];
}
