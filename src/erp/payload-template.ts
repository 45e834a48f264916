/** Fills `{{path}}` placeholders from a context object; no expressions, nothing is evaluated. */
export function renderTemplate(template: string, context: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}/g, (_m, path: string) => {
    let v: unknown = context;
    for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    if (v === undefined || v === null) return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }).trim();
}

export function renderPayload(mapping: Record<string, string>, context: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(mapping).map(([k, tpl]) => [k, renderTemplate(tpl, context)]));
}
