// Original file: proto/memory/v1/memory.proto


export interface SectionRequest__Input {
  'name'?: (string);
  'weight'?: (number | string);
  'tokenShare'?: (number | string);
}

export interface SectionRequest {
  'name': (string);
  'weight': (number);
  'tokenShare': (number);
}
