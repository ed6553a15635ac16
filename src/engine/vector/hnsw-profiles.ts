/** The HNSW build profiles (M / ef_construction) a deployment or a user can choose: one table for both stores. */
export interface HnswParams {
  m: number;
  efConstruction: number;
}

export const HNSW_PROFILES = {
  low_latency: { m: 16, efConstruction: 100 },
  production: { m: 32, efConstruction: 200 },
  high_recall: { m: 48, efConstruction: 400 },
} as const satisfies Record<string, HnswParams>;

export type HnswProfileName = keyof typeof HNSW_PROFILES;
export const HNSW_PROFILE_NAMES = Object.keys(HNSW_PROFILES) as HnswProfileName[];
