/**
 * Counts catalog keywords present in a message: Chinese by substring, English on word
 * boundaries with an optional plural ("trip" matches "trips", not "triple").
 *
 * A Chinese keyword found only inside a longer keyword of another intent is not counted: in 过路费
 * (a road toll, an expense) the travel keyword 路费 is part of another word, not the word itself.
 * The longest catalog word at a place is the one the writer used.
 */
export class KeywordMatcher {
  private readonly zh: string[];
  private readonly en: RegExp | null;
  /** For each Chinese keyword, the longer words of other intents that contain it. */
  private readonly longer: Map<string, string[]>;

  constructor(keywords: readonly string[], others: readonly string[] = []) {
    const latin = keywords.filter((k) => /^[\x20-\x7e]+$/.test(k)).map((k) => k.toLowerCase());
    this.zh = keywords.filter((k) => !/^[\x20-\x7e]+$/.test(k));
    const own = new Set(this.zh);
    this.longer = new Map(this.zh.map((k) => [k, others.filter((o) => o.length > k.length && o.includes(k) && !own.has(o))]));
    const escaped = latin.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
    this.en = escaped.length ? new RegExp(`\\b(?:${escaped.join('|')})(?:s|es|ed|ing)?\\b`, 'gi') : null;
  }

  /** Whether some occurrence of k in text is not covered by a longer word of another intent. */
  private standsAlone(text: string, k: string): boolean {
    const longer = this.longer.get(k) ?? [];
    if (longer.length === 0) return true;
    const covered: [number, number][] = [];
    for (const l of longer) for (let i = text.indexOf(l); i >= 0; i = text.indexOf(l, i + 1)) covered.push([i, i + l.length]);
    for (let i = text.indexOf(k); i >= 0; i = text.indexOf(k, i + 1)) {
      if (!covered.some(([s, e]) => s <= i && i + k.length <= e)) return true;
    }
    return false;
  }

  count(text: string): number {
    let n = 0;
    for (const k of this.zh) if (text.includes(k) && this.standsAlone(text, k)) n += 1;
    if (this.en) n += new Set([...text.matchAll(this.en)].map((m) => m[0].toLowerCase())).size;
    return n;
  }
}
