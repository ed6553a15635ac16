import { describe, expect, it } from 'vitest';
import { LexicalEmbedder, stem, tokenize } from '../../src/engine/embed/lexical.js';

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('lexical embedder', () => {
  const e = new LexicalEmbedder(384);

  it('is deterministic and unit length', async () => {
    const [a, b] = await e.embed(['I adopted a puppy last week', 'I adopted a puppy last week']);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(Math.sqrt(cos(a!, a!))).toBeCloseTo(1, 5);
  });

  it('puts related texts closer than unrelated ones', async () => {
    const [q, rel, unrel] = await e.embed(['what pets does she have?', 'She has two cats and a pet dog', 'The quarterly budget review is on Monday']);
    expect(cos(q!, rel!)).toBeGreaterThan(cos(q!, unrel!));
  });

  it('matches inflected forms and tolerates typos through character n-grams', async () => {
    const [a, b, c] = await e.embed(['running marathons', 'she runs a marathon', 'cooking pasta']);
    expect(cos(a!, b!)).toBeGreaterThan(cos(a!, c!));
    const [x, y, z] = await e.embed(['restaurant recommendations', 'restaurnt recomendations', 'weekly football training']);
    expect(cos(x!, y!)).toBeGreaterThan(0.08);
    expect(cos(x!, y!)).toBeGreaterThan(cos(x!, z!) + 0.1);
  });

  it('gives a valid vector for text without words', async () => {
    const [v] = await e.embed(['?!?']);
    expect(Math.sqrt(cos(v!, v!))).toBeCloseTo(1, 5);
  });

  it('tokenizes unicode and stems common suffixes', () => {
    expect(tokenize("Zoë's café, naïve!")).toEqual(["zoë's", 'café', 'naïve']);
    expect(stem('parties')).toBe('party');
    expect(stem('walking')).toBe('walk');
    expect(stem('cats')).toBe('cat');
  });
});
