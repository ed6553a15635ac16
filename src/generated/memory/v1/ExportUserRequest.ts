// Original file: proto/memory/v1/memory.proto


export interface ExportUserRequest__Input {
  'userId'?: (string);
  'includeEmbeddings'?: (boolean);
}

export interface ExportUserRequest {
  'userId': (string);
  'includeEmbeddings': (boolean);
}
