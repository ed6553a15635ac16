// Original file: proto/memory/v1/memory.proto

import type { Filter__Input as _memory_v1_Filter__Input, Filter as _memory_v1_Filter } from '../../memory/v1/Filter';
import type { QueryClass__Input as _memory_v1_QueryClass__Input, QueryClass as _memory_v1_QueryClass } from '../../memory/v1/QueryClass';
import type { RankingWeights__Input as _memory_v1_RankingWeights__Input, RankingWeights as _memory_v1_RankingWeights } from '../../memory/v1/RankingWeights';
import type { SearchMode__Input as _memory_v1_SearchMode__Input, SearchMode as _memory_v1_SearchMode } from '../../memory/v1/SearchMode';

export interface SearchRequest__Input {
  'userId'?: (string);
  'query'?: (string);
  'queryVector'?: (number | string)[];
  'topK'?: (number);
  'filter'?: (_memory_v1_Filter__Input | null);
  'queryClass'?: (_memory_v1_QueryClass__Input);
  'exact'?: (boolean);
  'minScore'?: (number | string);
  'includeEmbedding'?: (boolean);
  'weights'?: (_memory_v1_RankingWeights__Input | null);
  'mode'?: (_memory_v1_SearchMode__Input);
  'includeArchive'?: (boolean);
}

export interface SearchRequest {
  'userId': (string);
  'query': (string);
  'queryVector': (number)[];
  'topK': (number);
  'filter': (_memory_v1_Filter | null);
  'queryClass': (_memory_v1_QueryClass);
  'exact': (boolean);
  'minScore': (number);
  'includeEmbedding': (boolean);
  'weights': (_memory_v1_RankingWeights | null);
  'mode': (_memory_v1_SearchMode);
  'includeArchive': (boolean);
}
