/**
 * Counts catalog keywords present in a message: Chinese by substring, English on word
 * boundaries with an optional plural ("trip" matches "trips", not "triple").
 */
export class KeywordMatcher {
  private readonly zh: string[];
  private readonly en: RegExp | null;

  constructor(keywords: readonly string[]) {
    const latin = keywords.filter((k) => /^[\x20-\x7e]+$/.test(k)).map((k) => k.toLowerCase());
    this.zh = keywords.filter((k) => !/^[\x20-\x7e]+$/.test(k));
    const escaped = latin.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
    this.en = escaped.length ? new RegExp(`\\b(?:${escaped.join('|')})(?:s|es|ed|ing)?\\b`, 'gi') : null;
  }

  count(text: string): number {
    let n = 0;
    for (const k of this.zh) if (text.includes(k)) n += 1;
    if (this.en) n += new Set([...text.matchAll(this.en)].map((m) => m[0].toLowerCase())).size;
    return n;
  }
}
