// Original file: proto/memory/v1/memory.proto


export interface ExportChunk__Input {
  'lines'?: (string)[];
}

export interface ExportChunk {
  'lines': (string)[];
}
