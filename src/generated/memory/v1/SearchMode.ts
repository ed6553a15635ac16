// Original file: proto/memory/v1/memory.proto

export const SearchMode = {
  SEARCH_MODE_UNSPECIFIED: 'SEARCH_MODE_UNSPECIFIED',
  SEARCH_MODE_DENSE: 'SEARCH_MODE_DENSE',
  SEARCH_MODE_KEYWORD: 'SEARCH_MODE_KEYWORD',
  SEARCH_MODE_HYBRID: 'SEARCH_MODE_HYBRID',
} as const;

export type SearchMode__Input =
  | 'SEARCH_MODE_UNSPECIFIED'
  | 0
  | 'SEARCH_MODE_DENSE'
  | 1
  | 'SEARCH_MODE_KEYWORD'
  | 2
  | 'SEARCH_MODE_HYBRID'
  | 3

export type SearchMode = typeof SearchMode[keyof typeof SearchMode]
