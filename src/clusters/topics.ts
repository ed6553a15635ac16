/**
 * Topics from a clustering: each cluster's centroid, its label terms, and an id that stays the
 * same across runs while the topic keeps most of its members. Pure: no I/O, no clock; `pace`
 * lets a caller give the event loop a turn between clusters.
 *
 * Label terms are TF-IDF with topics as documents: a term frequent in this topic and rare in the
 * others scores high; a term found in every topic (a shared word) scores zero.
 */

export interface TopicInput {
  /** Point ids (memory ids), in the order of `vectors`, `labels` and `terms`. */
  ids: readonly string[];
  /** n × dims, row-major. */
  vectors: Float32Array;
  dims: number;
  /** Cluster of each point, or a negative number for noise. */
  labels: ArrayLike<number>;
  clusterCount: number;
  /** The words of each point that may label a topic (already lowercased and filtered). */
  terms: readonly (readonly string[])[];
  /** The topics of the previous run: their ids survive into topics that keep most members. */
  previous: readonly { id: string; members: readonly string[] }[];
  newId: () => string;
  /** Most label terms kept per topic. */
  maxTerms?: number;
}

export interface Topic {
  id: string;
  /** Indices into the input's points. */
  members: number[];
  /** Unit length. */
  centroid: number[];
  /** Best first. */
  terms: string[];
  label: string;
}

/** A previous topic's id passes to a new one whose members overlap it by at least this Jaccard index. */
const KEEP_ID_JACCARD = 0.5;

export async function buildTopics(input: TopicInput, pace: () => Promise<void> = async () => undefined): Promise<Topic[]> {
  const { ids, vectors, dims, labels, clusterCount } = input;
  const groups: number[][] = Array.from({ length: clusterCount }, () => []);
  for (let i = 0; i < ids.length; i++) if (labels[i]! >= 0) groups[labels[i]!]!.push(i);

  const perTopic: { tf: Map<string, number>; total: number }[] = [];
  for (const g of groups) {
    const tf = new Map<string, number>();
    let total = 0;
    for (const i of g) {
      for (const t of input.terms[i]!) {
        tf.set(t, (tf.get(t) ?? 0) + 1);
        total++;
      }
    }
    perTopic.push({ tf, total });
    await pace();
  }
  const topicsWith = new Map<string, number>();
  for (const t of perTopic) for (const w of t.tf.keys()) topicsWith.set(w, (topicsWith.get(w) ?? 0) + 1);
  const T = perTopic.length;

  const owner = new Map<string, string>();
  for (const p of input.previous) for (const id of p.members) owner.set(id, p.id);
  const sizeOf = new Map(input.previous.map((p) => [p.id, p.members.length]));
  const usedIds = new Set<string>();

  const topics: Topic[] = [];
  for (let c = 0; c < groups.length; c++) {
    await pace();
    const members = groups[c]!;
    const centroid = new Float64Array(dims);
    for (const i of members) for (let x = 0; x < dims; x++) centroid[x]! += vectors[i * dims + x]!;
    const norm = Math.hypot(...centroid) || 1;
    const { tf, total } = perTopic[c]!;
    const terms = [...tf]
      .map(([w, count]) => ({ w, count, score: (count / Math.max(1, total)) * Math.log((1 + T) / (1 + topicsWith.get(w)!)) }))
      .filter((x) => x.score > 0 || T === 1)
      .sort((a, b) => b.score - a.score || b.count - a.count || (a.w < b.w ? -1 : 1))
      .slice(0, input.maxTerms ?? 8)
      .map((x) => x.w);
    // The id of the previous topic this one mostly is, if any is free.
    const votes = new Map<string, number>();
    for (const i of members) {
      const prev = owner.get(ids[i]!);
      if (prev) votes.set(prev, (votes.get(prev) ?? 0) + 1);
    }
    let id = '';
    for (const [key, v] of votes) {
      const union = members.length + (sizeOf.get(key) ?? 0) - v;
      if (v / union >= KEEP_ID_JACCARD && !usedIds.has(key)) id = key;
    }
    id ||= input.newId();
    usedIds.add(id);
    topics.push({ id, members, centroid: Array.from(centroid, (x) => x / norm), terms, label: terms.slice(0, 3).join(', ') || `topic ${c + 1}` });
  }
  return topics;
}
