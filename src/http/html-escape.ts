const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * The one escape for text put into HTML built on the server (the console page's shell, cards rendered for `html=1`,
 * the sign-in pages): safe in element content and in quoted attribute values alike, since every quote character
 * (the backtick too, an attribute quote in old IE) becomes an entity.
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}

/**
 * A value as a JavaScript expression inside a <script> element: JSON, with "<" escaped so no text can close the
 * element ("</script>") or open a comment ("<!--"), and the line separators JSON allows but older parsers don't.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
