/**
 * Typo-tolerant catalog keywords. People type "reimbursment", "purchse", "差侣" or "采够"; the
 * keyword they meant is one edit away. Before a message is scored, such words are rewritten to the
 * keyword, so BM25 and the keyword counts see what was meant.
 *
 * - Latin words of 4+ letters: one insertion, deletion, substitution or swap of neighbours
 *   (optimal string alignment distance 1) from a single-word keyword. A word the catalog itself
 *   uses anywhere (examples, descriptions, synonyms) is never "corrected": "please" is not "lease".
 * - Chinese keywords of 2–4 characters: the same length with one character replaced, the others in
 *   place (in a two-character keyword, the second). Only where the word segmenter found no dictionary word among those characters ("报告"
 *   is a word, not a typo of 报销; 供应商 holds no typo of 应付) and the replaced character is not a
 *   function word (付了 is not 付款).
 */
const zhSegmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const HAN = /\p{Script=Han}/u;
const LATIN_WORD = /[a-z][a-z'-]*/giu;
/** Characters that never stand in for a keyword's character: particles, pronouns, measure words. */
const FUNCTION_CHARS = new Set([...'了的吗呢吧啊呀么没不是在有和就都也很这那个我你他她它们给把被让过着得地']);

/** Optimal string alignment distance, cut off above 1. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.slice(i) === long.slice(i + 1);
}

export class TypoTolerance {
  private readonly latin: string[];
  private readonly known: Set<string>;
  /** "采?" → 采购: each Chinese keyword under every one-character wildcard. */
  private readonly zhPatterns = new Map<string, string>();
  private readonly zhKeywords: Set<string>;
  private readonly zhLengths: number[];

  /** `keywords`: the catalog's keywords; `vocabulary`: all catalog text (its words are never typos). */
  constructor(keywords: readonly string[], vocabulary: readonly string[]) {
    this.known = new Set(vocabulary.flatMap((v) => v.toLowerCase().match(LATIN_WORD) ?? []));
    this.latin = [...new Set(keywords.filter((k) => /^[a-z]{4,}$/i.test(k)).map((k) => k.toLowerCase()))];
    for (const k of this.latin) this.known.add(k);
    this.zhKeywords = new Set(keywords.filter((k) => /^\p{Script=Han}{2,4}$/u.test(k)));
    const ambiguous = new Set<string>();
    for (const k of this.zhKeywords) {
      const chars = [...k];
      chars.forEach((_, i) => {
        // In a two-character keyword only the second may be mistyped: one kept character must lead (钱付 is not 应付).
        if (chars.length === 2 && i === 0) return;
        const p = chars.map((c, j) => (j === i ? '?' : c)).join('');
        const other = this.zhPatterns.get(p);
        // 打车 and 打的 share "打?": a window matching both says nothing about which was meant.
        if (other !== undefined && other !== k) ambiguous.add(p);
        this.zhPatterns.set(p, k);
      });
    }
    for (const p of ambiguous) this.zhPatterns.delete(p);
    this.zhLengths = [...new Set([...this.zhKeywords].map((k) => [...k].length))].sort((a, b) => b - a);
  }

  /** The message with likely typos of catalog keywords replaced by the keyword. */
  correct(text: string): string {
    return this.correctChinese(this.correctLatin(text));
  }

  private correctLatin(text: string): string {
    return text.replace(LATIN_WORD, (word) => {
      const w = word.toLowerCase();
      if (w.length < 4 || this.known.has(w) || this.known.has(w.replace(/(?:s|es|ed|ing)$/, ''))) return word;
      for (const k of this.latin) if (withinOneEdit(w, k)) return k;
      return word;
    });
  }

  private correctChinese(text: string): string {
    if (this.zhPatterns.size === 0 || !HAN.test(text)) return text;
    const chars = [...text];
    // Characters inside a dictionary word of two or more characters, by position; segmented only once a
    // window looks like a typo (most messages have none, and segmenting is the costly part).
    let inWordCache: boolean[] | null = null;
    const inWord = (j: number): boolean => {
      if (!inWordCache) {
        inWordCache = new Array<boolean>(chars.length).fill(false);
        let pos = 0;
        for (const seg of zhSegmenter.segment(text)) {
          const n = [...seg.segment].length;
          if (n >= 2 && HAN.test(seg.segment)) for (let x = pos; x < pos + n; x += 1) inWordCache[x] = true;
          pos += n;
        }
      }
      return inWordCache[j] ?? false;
    };
    const taken = new Array<boolean>(chars.length).fill(false);
    // Exact keywords keep their characters: 出差 is never read as a typo of 出库.
    for (const k of this.zhKeywords) {
      for (let at = text.indexOf(k); at >= 0; at = text.indexOf(k, at + 1)) {
        const start = [...text.slice(0, at)].length;
        for (let j = start; j < start + [...k].length; j += 1) taken[j] = true;
      }
    }
    for (const len of this.zhLengths) {
      for (let s = 0; s + len <= chars.length; s += 1) {
        const window = chars.slice(s, s + len);
        // A typo leaves characters the segmenter cannot join into words; any dictionary word here means no typo.
        if (window.some((c, j) => !HAN.test(c) || taken[s + j])) continue;
        for (let i = 0; i < len; i += 1) {
          const odd = window[i] ?? '';
          if (FUNCTION_CHARS.has(odd)) continue;
          const k = this.zhPatterns.get(window.map((c, j) => (j === i ? '?' : c)).join(''));
          if (!k || window.some((_, j) => inWord(s + j))) continue;
          [...k].forEach((c, j) => { chars[s + j] = c; taken[s + j] = true; });
          break;
        }
      }
    }
    return chars.join('');
  }
}
