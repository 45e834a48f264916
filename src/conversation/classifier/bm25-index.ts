/**
 * Okapi BM25 over a handful of labelled documents (one per intent). IDF is what makes 报销 or
 * "expense" count for little when every document has it, and 差旅 or "contract" count for a lot.
 */
const K1 = 1.2;
const B = 0.6;

export class Bm25Index<L extends string> {
  private readonly docs: { label: L; tf: Map<string, number>; length: number }[];
  private readonly idf = new Map<string, number>();
  private readonly avgLength: number;

  constructor(documents: { label: L; tokens: string[] }[]) {
    this.docs = documents.map((d) => {
      const tf = new Map<string, number>();
      for (const t of d.tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      return { label: d.label, tf, length: d.tokens.length };
    });
    this.avgLength = this.docs.reduce((s, d) => s + d.length, 0) / Math.max(1, this.docs.length);
    const df = new Map<string, number>();
    for (const d of this.docs) for (const t of d.tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    const n = this.docs.length;
    for (const [t, f] of df) this.idf.set(t, Math.log(1 + (n - f + 0.5) / (f + 0.5)));
  }

  /** Score per label; unknown tokens add nothing. Each distinct query token counts once. */
  score(query: string[], weightOf: (token: string) => number = () => 1): Map<L, number> {
    const scores = new Map<L, number>();
    const unique = [...new Set(query)];
    for (const d of this.docs) {
      let s = 0;
      for (const t of unique) {
        const f = d.tf.get(t);
        if (!f) continue;
        const idf = this.idf.get(t) ?? 0;
        s += weightOf(t) * idf * ((f * (K1 + 1)) / (f + K1 * (1 - B + (B * d.length) / this.avgLength)));
      }
      scores.set(d.label, s);
    }
    return scores;
  }
}
