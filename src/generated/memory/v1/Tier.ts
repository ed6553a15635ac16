// Original file: proto/memory/v1/memory.proto

export const Tier = {
  TIER_UNSPECIFIED: 'TIER_UNSPECIFIED',
  TIER_L1: 'TIER_L1',
  TIER_L2: 'TIER_L2',
  TIER_L3: 'TIER_L3',
} as const;

export type Tier__Input =
  | 'TIER_UNSPECIFIED'
  | 0
  | 'TIER_L1'
  | 1
  | 'TIER_L2'
  | 2
  | 'TIER_L3'
  | 3

export type Tier = typeof Tier[keyof typeof Tier]
