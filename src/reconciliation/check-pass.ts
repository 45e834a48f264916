import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { closeResolved, openFinding, type FindingInput, type FindingKind } from './findings-repo.ts';

/** One check's run over one tenant: what it may read and when it runs (the injected clock's "now", once per run). */
export interface CheckContext {
  db: Kysely<Database>;
  tenantId: string;
  now: Date;
  newId: () => string;
  thresholds: ReconcileThresholds;
}

/** When a state has lasted long enough to be a finding (config/env.ts RECONCILE_*). */
export interface ReconcileThresholds { approvedWithoutDocumentMinutes: number; postedUnpaidDays: number }

/** What a check found: every key open after it (`open`), those new this time (`opened`), how many it closed. */
export interface CheckResult { kind: FindingKind; open: string[]; opened: string[]; closed: number }

/**
 * Records a full pass of one kind: each thing found opens its finding (or refreshes the open one with its key), and the
 * open findings of that kind it no longer found are closed. A full pass is the only place that may close by absence.
 */
export async function settlePass(c: CheckContext, kind: FindingKind, found: Omit<FindingInput, 'tenantId' | 'kind'>[]): Promise<CheckResult> {
  const byKey = new Map(found.map((f) => [f.key, f]));
  const opened: string[] = [];
  for (const f of byKey.values()) {
    if (await openFinding(c.db, { ...f, tenantId: c.tenantId, kind }, c.now, c.newId)) opened.push(f.key);
  }
  const open = [...byKey.keys()];
  const closed = await closeResolved(c.db, c.tenantId, kind, open, c.now);
  return { kind, open, opened, closed };
}

/** `connector:erpId`: the key of a finding about one ERP document. */
export const docKey = (connector: string, erpId: string): string => `${connector}:${erpId}`;

export const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);
