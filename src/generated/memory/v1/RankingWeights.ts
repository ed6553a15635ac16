// Original file: proto/memory/v1/memory.proto


export interface RankingWeights__Input {
  'similarity'?: (number | string);
  'importance'?: (number | string);
  'recency'?: (number | string);
  '_similarity'?: "similarity";
  '_importance'?: "importance";
  '_recency'?: "recency";
}

export interface RankingWeights {
  'similarity'?: (number);
  'importance'?: (number);
  'recency'?: (number);
  '_similarity'?: "similarity";
  '_importance'?: "importance";
  '_recency'?: "recency";
}
