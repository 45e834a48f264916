/** A character range of a message that one extractor has claimed (dates, counts, numbers). */
export interface Span {
  start: number;
  end: number;
}

/** Replaces the claimed ranges with spaces so other extractors don't read them twice; positions are kept. */
export function maskSpans(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  const chars = [...text.split('')];
  for (const s of spans) for (let i = s.start; i < s.end && i < chars.length; i += 1) chars[i] = ' ';
  return chars.join('');
}
