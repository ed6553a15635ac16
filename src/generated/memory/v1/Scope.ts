// Original file: proto/memory/v1/memory.proto

export const Scope = {
  SCOPE_UNSPECIFIED: 'SCOPE_UNSPECIFIED',
  SCOPE_GLOBAL: 'SCOPE_GLOBAL',
  SCOPE_USER: 'SCOPE_USER',
  SCOPE_TASK: 'SCOPE_TASK',
  SCOPE_SESSION: 'SCOPE_SESSION',
} as const;

export type Scope__Input =
  | 'SCOPE_UNSPECIFIED'
  | 0
  | 'SCOPE_GLOBAL'
  | 1
  | 'SCOPE_USER'
  | 2
  | 'SCOPE_TASK'
  | 3
  | 'SCOPE_SESSION'
  | 4

export type Scope = typeof Scope[keyof typeof Scope]
