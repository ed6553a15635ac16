/** The keyword index's encoder and the search fusion, as the configuration asks for them. */
import type { Config } from '../../config.js';
import { KeywordAnalyzer } from './analyzer.js';
import { KeywordEncoder } from './encoder.js';
import type { FusionOptions } from './fusion.js';

export function keywordEncoder(c: Config): KeywordEncoder {
  return new KeywordEncoder({ analyzer: new KeywordAnalyzer({ language: c.keywordLanguage }), k1: c.keywordK1, b: c.keywordB, avgTerms: c.keywordAvgTerms });
}

export function fusionOptions(c: Config): FusionOptions {
  return { method: c.searchFusion, denseWeight: c.searchDenseWeight, rrfK: c.searchRrfK };
}
