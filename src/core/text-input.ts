/**
 * Text that must not get in: PostgreSQL cannot store a NUL character in `text` (SQLSTATE 22021) nor a `\u0000`
 * escape in `jsonb` (22P05), and a UTF-16 surrogate half has no UTF-8 form at all (JSON.stringify writes it as
 * `\ud800`, which jsonb refuses with 22P05; a driver would silently turn it into U+FFFD). Other C0 control
 * characters (bell, escape, backspace…) store fine but have no business in chat text, names or ids: they garble
 * logs and terminals and hide text from whoever reads it. Tab, line feed and carriage return are ordinary text.
 * Pure: every entry point (HTTP bodies, queries, paths, normalized platform events) asks this one checker.
 */
export type TextProblem = 'nul' | 'lone_surrogate' | 'control';

const SUSPECT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff]/;

/** What is wrong with `s`, or null when it is fine (well-formed surrogate pairs, emoji, are fine). */
export function textProblem(s: string): TextProblem | null {
  if (!SUSPECT.test(s)) return null;
  let control = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return 'nul';
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) { i++; continue; }
      return 'lone_surrogate';
    }
    if (c >= 0xdc00 && c <= 0xdfff) return 'lone_surrogate';
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) control = true;
  }
  return control ? 'control' : null;
}

export interface UnsafeText {
  /** Where, as keys from the top: ['form', 'purpose']; a bad key itself is named by its parent's path. */
  path: (string | number)[];
  problem: TextProblem;
}

/** Nesting deeper than this is refused outright as a problem of its own kind (no legitimate input goes near it). */
const MAX_DEPTH = 64;

/**
 * The first string (value or object key) in `value` that textProblem refuses. Walks plain objects and arrays;
 * other objects (a Date) hold no text of the sender's.
 */
export function findUnsafeText(value: unknown, path: (string | number)[] = []): UnsafeText | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path, problem } : null;
  }
  if (typeof value !== 'object' || value === null || path.length > MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnsafeText(value[i], [...path, i]);
      if (hit) return hit;
    }
    return null;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return null;
  for (const [k, v] of Object.entries(value)) {
    const keyProblem = textProblem(k);
    if (keyProblem) return { path, problem: keyProblem };
    const hit = findUnsafeText(v, [...path, k]);
    if (hit) return hit;
  }
  return null;
}

const WHAT: Record<TextProblem, string> = {
  nul: 'contains a NUL character',
  lone_surrogate: 'contains half of a UTF-16 surrogate pair (not valid Unicode text)',
  control: 'contains a control character',
};

/** "form.purpose: contains a NUL character", with `where` ("body", "query") when the path is empty. */
export function describeUnsafeText(u: UnsafeText, where: string): string {
  return `${u.path.length ? u.path.join('.') : where}: ${WHAT[u.problem]}`;
}
