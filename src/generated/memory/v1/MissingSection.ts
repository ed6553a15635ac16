// Original file: proto/memory/v1/memory.proto


export interface MissingSection__Input {
  'name'?: (string);
  'reason'?: (string);
  'detail'?: (string);
}

export interface MissingSection {
  'name': (string);
  'reason': (string);
  'detail': (string);
}
