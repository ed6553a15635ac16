// Original file: proto/memory/v1/memory.proto


export interface TopicRef__Input {
  'id'?: (string);
  'label'?: (string);
  'size'?: (number);
}

export interface TopicRef {
  'id': (string);
  'label': (string);
  'size': (number);
}
