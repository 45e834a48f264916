/**
 * Negation scope for intent scoring. "不算X，按Y走" or "not X but Y" names X only to rule it out, so
 * the words of X must not count as evidence for X. A cue opens a scope that runs to the next
 * punctuation mark, to a contrast word (是 / 而是 / 就是 / but / just …), or to a few words at most.
 * The spans are masked (replaced by spaces, same length) before the intent is scored; slot
 * extraction still reads the original text.
 */
export interface Span {
  start: number;
  end: number;
}

/**
 * Chinese cues. 是不是 / 不是吗 are questions, not negations, and 不要了 / 不用了 is a cancel: the
 * look-around keeps them out, as it keeps out 要不要 / 算不算 (asking, not ruling out). 没 is left alone on purpose: "批了没" asks whether something happened.
 */
const ZH_CUE = /(?<![是要算走用按当])(?:而不是|并不是|并非|不是|不算|不属于|不走|不按|不用|不要|别走|别算|别按|别用|别当|不当)(?![吗呢了])/gu;
/** Where a Chinese scope ends: punctuation, or the word that says what it is instead. */
const ZH_END = /[，,。.;；：:！!？?、\s]|而是|就是|只是|是|算|按|走|改|但|其实/u;
const ZH_MAX = 8;

/**
 * English cues: "not" only before a noun phrase ("not a contract", "not the travel claim"), since
 * "not paid yet" or "not approved" are what a status question asks about.
 */
const EN_CUE = /\b(?:instead\s+of|rather\s+than|not\s+(?=(?:a|an|the|my|our|as|for)\b)|no\s+longer\s+(?:a|an)\b|isn'?t\s+(?=(?:a|an|the|my)\b)|don'?t\s+(?:file|submit|log|book|treat|count)(?:\s+(?:it|this))?(?:\s+as)?)/giu;
const EN_END = /[,.;:!?—–]|\s-\s|\bbut\b|\bjust\b|\bit'?s\b|\bit\s+is\b|\bthis\s+is\b|\bi\b|\bi'm\b|\bwe\b/iu;
const EN_MAX_WORDS = 4;

function zhScopes(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(ZH_CUE)) {
    const start = (m.index ?? 0) + m[0].length;
    let end = Math.min(text.length, start + ZH_MAX);
    // The scope needs at least one character: 按 in "不按合同走" is where the scope starts, not ends.
    const rest = text.slice(start + 1, end);
    const stop = ZH_END.exec(rest);
    if (stop) end = start + 1 + stop.index;
    if (/^[，,。.;；：:！!？?、\s]?$/u.test(text.charAt(start))) continue;
    if (end > start) spans.push({ start, end });
  }
  return spans;
}

function enScopes(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(EN_CUE)) {
    const start = (m.index ?? 0) + m[0].length;
    const rest = text.slice(start);
    const stop = EN_END.exec(rest);
    let end = start + (stop ? stop.index : rest.length);
    // At most a few words: "not a contract for the Shenzhen office pay them" stops early.
    const words = [...text.slice(start, end).matchAll(/\S+/g)];
    const last = words[EN_MAX_WORDS - 1];
    if (words.length > EN_MAX_WORDS && last) end = start + (last.index ?? 0) + last[0].length;
    if (end > start) spans.push({ start, end });
  }
  return spans;
}

/** The negated stretches of a message, in order. */
export function negatedSpans(text: string): Span[] {
  return [...zhScopes(text), ...enScopes(text)].sort((a, b) => a.start - b.start);
}

/** The message with the given spans blanked out (same length, so other offsets stay valid). */
export function maskSpans(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue;
    out += text.slice(at, s.start) + ' '.repeat(s.end - s.start);
    at = s.end;
  }
  return out + text.slice(at);
}

/** What a negated span said, joined: the words whose intents are ruled out. */
export function spanText(text: string, spans: readonly Span[]): string {
  return spans.map((s) => text.slice(s.start, s.end)).join(' ');
}
