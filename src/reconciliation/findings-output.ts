import type { ReconcileResult } from './reconcile.ts';
import type { Finding } from './findings-repo.ts';

/** One open finding as `npm run reconcile -- --json` prints it (one JSON object a line). */
export function findingLine(tenant: string, f: Finding, isNew: boolean): Record<string, unknown> {
  return {
    tenant, id: f.id, kind: f.kind, key: f.key, new: isNew, requestId: f.requestId, connector: f.connector, erpId: f.erpId,
    openedAt: f.openedAt.toISOString(), lastSeenAt: f.lastSeenAt.toISOString(), notifiedAt: f.notifiedAt?.toISOString() ?? null, details: f.details,
  };
}

/** The JSON lines of one tenant's run: each open finding, then a summary line. */
export function jsonLines(tenant: string, r: ReconcileResult): string[] {
  const fresh = new Set(r.opened.map((f) => f.id));
  return [
    ...r.open.map((f) => JSON.stringify(findingLine(tenant, f, fresh.has(f.id)))),
    JSON.stringify({ tenant, summary: { open: r.open.length, opened: r.opened.length, closed: r.closed, digest: r.digest } }),
  ];
}

/** What a finding is about, in a few words: the request number, the ERP document, a person or a record. */
function subject(f: Finding): string {
  const d = f.details;
  const text = (k: string) => (typeof d[k] === 'string' && d[k] !== '' ? (d[k] as string) : null);
  const doc = f.connector && f.erpId ? `${f.connector} ${text('documentNumber') ?? `#${f.erpId}`}` : null;
  return [text('requestNumber'), doc, text('approverName'), text('oldName') && `${text('oldName')} → ${text('newName') ?? ''}`]
    .filter((x): x is string => !!x).join(' · ') || f.key;
}

/** A plain table of one tenant's open findings (new ones marked `*`), and a summary line. */
export function tableLines(tenant: string, r: ReconcileResult): string[] {
  const fresh = new Set(r.opened.map((f) => f.id));
  const rows = r.open.map((f) => [fresh.has(f.id) ? '*' : '', f.kind, subject(f), f.openedAt.toISOString().slice(0, 16).replace('T', ' ')]);
  const head = ['new', 'kind', 'about', 'opened (UTC)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const summary = `${tenant}: ${r.open.length} open, ${r.opened.length} new, ${r.closed} closed; digest: ${r.digest.finance.cards} finance card(s), ${r.digest.drift.cards} drift card(s)`;
  return rows.length ? [fmt(head), ...rows.map(fmt), summary] : [summary];
}
