import type { Kysely } from 'kysely';
import type { BotConfig } from '../config/bot-schema.ts';
import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import type { CheckContext, CheckResult, ReconcileThresholds } from './check-pass.ts';
import { checkAmountMismatch, checkApprovedWithoutDocument, checkPostedUnpaid } from './checks.ts';
import { sendDigests, type DigestResult } from './digest.ts';
import { listFindings, openFinding, type Finding, type FindingInput } from './findings-repo.ts';
import { checkApprovedInErpWithoutChat, checkDepartedApprovers } from './origin-checks.ts';

export interface ReconcileDeps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  thresholds: ReconcileThresholds;
  /** The enabled bots: a tenant's finance chat and each bot's language. */
  bots: Pick<BotConfig, 'id' | 'tenant' | 'platform' | 'locale' | 'finance_chat'>[];
  /** Times on the digest cards. */
  timeZone: string;
  maxAttempts: number;
  /** After a commit that queued digest cards (wakes the outbox). */
  onCommitted?: () => void;
}

export interface ReconcileResult {
  /** Findings new in this run. */
  opened: Finding[];
  /** How many open findings this run found resolved and closed. */
  closed: number;
  /** Every open finding of the tenant after the run (the kinds opened elsewhere too). */
  open: Finding[];
  digest: DigestResult;
}

/**
 * The full passes, one per kind a check can find by itself. duplicate_documents and drift.renamed are opened where
 * they are seen (the ERP sync, the master-data sync: `findingReporter`) and closed by an admin, not by absence here.
 */
const CHECKS: ((c: CheckContext) => Promise<CheckResult>)[] = [
  checkApprovedWithoutDocument, checkAmountMismatch, checkApprovedInErpWithoutChat, checkPostedUnpaid, checkDepartedApprovers,
];

/** Runs every check over one tenant, then sends the digests of what nobody was told of yet. */
export async function runReconciliation(d: ReconcileDeps, tenantId: string): Promise<ReconcileResult> {
  const c: CheckContext = { db: d.db, tenantId, now: d.clock.now(), newId: () => d.ids.uuid(), thresholds: d.thresholds };
  const results: CheckResult[] = [];
  for (const check of CHECKS) results.push(await check(c));
  const digest = await sendDigests(d, tenantId);
  const open = await listFindings(d.db, tenantId, { open: true, limit: 10_000 });
  const fresh = new Set(results.flatMap((r) => r.opened.map((k) => `${r.kind}\n${k}`)));
  return {
    opened: open.filter((f) => fresh.has(`${f.kind}\n${f.key}`)),
    closed: results.reduce((n, r) => n + r.closed, 0),
    open,
    digest,
  };
}

/**
 * Opens (or refreshes) a finding seen outside the full passes: the app hands this to the ERP sync (a second document
 * carrying a request's key: duplicate_documents) and the master-data sync (drift.renamed, with details masterKind,
 * oldName, newName). Answers whether it is new; the next reconciliation run's digest tells about it.
 */
export function findingReporter(d: Pick<ReconcileDeps, 'db' | 'clock' | 'ids'>): (f: FindingInput) => Promise<boolean> {
  return (f) => openFinding(d.db, f, d.clock.now(), () => d.ids.uuid());
}
