/** How recent a memory is, in (0, 1]: halves every `halfLifeMs` of age (ranking, profiles, warm-up). */
export function recency(createdAtMs: number, now: number, halfLifeMs: number): number {
  return Math.pow(0.5, Math.max(0, now - createdAtMs) / halfLifeMs);
}
