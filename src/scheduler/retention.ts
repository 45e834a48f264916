import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Logger } from 'pino';
import type { RetentionConfig } from '../config/env.ts';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';
import { purgeRefusals } from './retention-audit.ts';

/**
 * Bounded tables. Every table of migrations/, and what keeps it from growing without end:
 *
 * | table | grows with | kept |
 * |---|---|---|
 * | inbox_events | every inbound message and click | pending: until handled; done: RETENTION_INBOX_DONE_DAYS after handling (a redelivery within it is a no-op); failed: RETENTION_INBOX_FAILED_DAYS after receipt |
 * | outbox_jobs | every reply, card render, ERP call | pending/running: until finished; done: RETENTION_OUTBOX_DONE_DAYS; dead: RETENTION_OUTBOX_DEAD_DAYS after dead-lettering (replay window) |
 * | console_messages | every console reply | RETENTION_CONSOLE_MESSAGES_DAYS; a message that carries a kept card (request, ERP document) stays with it |
 * | card_messages | requests (kept), help/status replies and drafts (purged) | `dialog:`, `help:`, `status:` cards: RETENTION_CHAT_CARDS_DAYS; request and ERP-document cards are business records |
 * | audit_log, audit_heads | business changes (kept) and refusals (purged) | refusal rows (inbound.rejected, card.denied, inbound.unknown_user): RETENTION_REFUSALS_DAYS, oldest rows of a chain first (retention-audit.ts); heads are kept |
 * | refusal_counts | one row per tenant, source, reason and minute with refusals | summarized counters: RETENTION_REFUSALS_DAYS |
 * | auth_failures | one row per source and window with failed authentications | two days past the window's start (windows are at most a day) |
 * | audit_head_macs, audit_checkpoints | one per audit chain; the export's lines | as long as their chain; lines until delivered (the last stays) |
 * | dialog_sessions | one per user | RETENTION_EXPIRED_DIALOGS_DAYS after the draft expired (its card is no longer marked expired on the user's next message) |
 * | rate_limits | one per limiter key (per message for Feishu) | an hour after the key's last slot; the limiter also prunes idle keys as it goes |
 * | conversation_leases | conversations whose worker died holding them | an hour after the lease ran out |
 * | requests, approval_tasks, audit_log (business rows), erp_documents | business | kept: never purged |
 * | departments, users, user_identities, intent_versions, request_counters, erp_sync_cursors, sandbox_erp_documents | directory, config, periods, the sandbox ledger | kept: they grow with the organisation or the ledger, not with traffic |
 *
 * Each purge deletes in batches of at most `batchSize` rows, one statement (one transaction) per batch, until a
 * batch finds fewer: a big backlog never holds locks or a transaction for long. Cut-offs come from the injected
 * clock. Each batch reaches its rows through an index of the rows it may delete (migration
 * 2026_11_23_0900_retention_indexes), except the three tables that hold one row per user, key or conversation.
 */

/** Tables whose size /metrics reports (src/observability/table-sizes.ts): purged ones and kept business ones. */
export const TRAFFIC_TABLES = [
  'inbox_events', 'outbox_jobs', 'console_messages', 'card_messages', 'audit_log', 'audit_heads', 'dialog_sessions', 'rate_limits',
  'conversation_leases', 'requests', 'approval_tasks', 'erp_push_events', 'refusal_counts', 'auth_failures',
] as const;

/** Card subjects that are replies, not records: a draft's confirmation card, the help card, a status answer. */
export const TRANSIENT_CARD = sql`(subject like 'dialog:%' or subject like 'help:%' or subject like 'status:%')`;

/** Failed-auth windows are at most a day (AUTH_FAILURE_WINDOW_MS): two days after one started it counts nothing. */
const AUTH_FAILURES_KEEP_MS = 2 * 24 * 3600_000;

/** Rate-limit slots and conversation leases are seconds of state: an hour past them they hold nothing. */
const STATE_GRACE_MS = 3600_000;

export interface PurgeResult { name: string; deleted: number; batches: number }

interface Purge {
  name: string;
  table: string;
  /** The rows this purge may delete; unqualified columns of `table` (qualified by the table name in subqueries). */
  where: RawBuilder<unknown>;
  /** Indexed column the oldest rows are taken by; null: a table small by construction, scanned. */
  order: string | null;
}

const ago = (now: Date, ms: number): Date => new Date(now.getTime() - ms);

function purges(cfg: RetentionConfig, now: Date): Purge[] {
  return [
    { name: 'inbox_events.done', table: 'inbox_events', order: 'processed_at', where: sql`status = 'done' and processed_at < ${ago(now, cfg.inboxDoneMs)}` },
    { name: 'inbox_events.failed', table: 'inbox_events', order: 'received_at', where: sql`status = 'failed' and received_at < ${ago(now, cfg.inboxFailedMs)}` },
    { name: 'outbox_jobs.done', table: 'outbox_jobs', order: 'done_at', where: sql`status = 'done' and done_at < ${ago(now, cfg.outboxDoneMs)}` },
    { name: 'outbox_jobs.dead', table: 'outbox_jobs', order: 'updated_at', where: sql`status = 'dead' and updated_at < ${ago(now, cfg.outboxDeadMs)}` },
    {
      name: 'console_messages', table: 'console_messages', order: 'created_at',
      // A console message showing a kept card (request, ERP document) stays: later renders of that card update it.
      where: sql`created_at < ${ago(now, cfg.consoleMessagesMs)} and updated_at < ${ago(now, cfg.consoleMessagesMs)}
        and not exists (select 1 from card_messages c where c.bot_id = console_messages.bot_id and c.ref->>'messageId' = console_messages.id::text
          and not (c.subject like 'dialog:%' or c.subject like 'help:%' or c.subject like 'status:%'))`,
    },
    {
      name: 'card_messages.transient', table: 'card_messages', order: 'created_at',
      where: sql`${TRANSIENT_CARD} and created_at < ${ago(now, cfg.chatCardsMs)} and updated_at < ${ago(now, cfg.chatCardsMs)}
        and (lease_until is null or lease_until < ${now})`,
    },
    { name: 'dialog_sessions.expired', table: 'dialog_sessions', order: null, where: sql`expires_at < ${ago(now, cfg.expiredDialogsMs)}` },
    { name: 'rate_limits', table: 'rate_limits', order: null, where: sql`next_us < ${(now.getTime() - STATE_GRACE_MS) * 1000}::bigint` },
    { name: 'conversation_leases', table: 'conversation_leases', order: null, where: sql`until < ${ago(now, STATE_GRACE_MS)}` },
    { name: 'refusal_counts', table: 'refusal_counts', order: 'minute', where: sql`summarized and minute < ${ago(now, cfg.refusalsMs)}` },
    { name: 'auth_failures', table: 'auth_failures', order: 'window_start', where: sql`window_start < ${ago(now, AUTH_FAILURES_KEEP_MS)}` },
    // Event ids of ERP pushes refuse replays; a replay older than the push window is refused by its timestamp anyway.
    { name: 'erp_push_events', table: 'erp_push_events', order: 'received_at', where: sql`received_at < ${ago(now, cfg.inboxDoneMs)}` },
  ];
}

/**
 * One batch: deletes at most `limit` of the oldest rows matching `where`, answers how many. The rows are picked by
 * ctid (a TID scan, whatever the key) and `where` is checked again on the row being deleted, so a row changed
 * meanwhile (a dead job replayed, a lease taken again) is skipped rather than deleted on stale grounds.
 */
async function deleteBatch(db: Kysely<Database>, p: Purge, limit: number): Promise<number> {
  const order = p.order ? sql`order by ${sql.ref(p.order)}` : sql``;
  const r = await sql`delete from ${sql.table(p.table)} where ctid = any(array(
      select ctid from ${sql.table(p.table)} where ${p.where} ${order} limit ${limit}))
    and ${p.where}`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/** Runs one purge batch after batch until a batch deletes fewer than `limit` rows. */
async function drain(batch: () => Promise<number>, limit: number): Promise<{ deleted: number; batches: number }> {
  let deleted = 0;
  let batches = 0;
  for (;;) {
    const n = await batch();
    deleted += n;
    batches++;
    if (n < limit) return { deleted, batches };
  }
}

export interface RetentionOptions {
  /** Rows per DELETE; default cfg.batchSize. */
  batchSize?: number;
  /**
   * VACUUM (ANALYZE) the tables rows were deleted from, ANALYZE the others of TRAFFIC_TABLES. For the embedded
   * database (PGlite), which has no autovacuum: without it deleted rows' space is never reused and the size
   * estimates of /metrics never move. PostgreSQL's autovacuum does both on its own.
   */
  vacuum?: boolean;
}

/** Purges every table that grows with traffic once; business records are never touched. */
export async function runRetention(db: Kysely<Database>, clock: Clock, cfg: RetentionConfig, o: RetentionOptions = {}): Promise<PurgeResult[]> {
  const now = clock.now();
  const limit = o.batchSize ?? cfg.batchSize;
  const results: PurgeResult[] = [];
  for (const p of purges(cfg, now)) results.push({ name: p.name, ...(await drain(() => deleteBatch(db, p, limit), limit)) });
  results.push({ name: 'audit_log.refusals', ...(await purgeRefusals(db, ago(now, cfg.refusalsMs), limit)) });
  if (o.vacuum) {
    const purged = new Set(purges(cfg, now).filter((p) => results.some((r) => r.name === p.name && r.deleted > 0)).map((p) => p.table));
    if (results.some((r) => r.name === 'audit_log.refusals' && r.deleted > 0)) purged.add('audit_log').add('audit_heads');
    for (const t of TRAFFIC_TABLES) {
      await (purged.has(t) ? sql`vacuum (analyze) ${sql.table(t)}` : sql`analyze ${sql.table(t)}`).execute(db);
    }
  }
  return results;
}

/** The retention job for the periodic scheduler: runs every purge, logs what went. */
export function retentionTask(d: { db: Kysely<Database>; clock: Clock; cfg: RetentionConfig; logger: Logger; vacuum: boolean }): () => Promise<void> {
  return async () => {
    const results = await runRetention(d.db, d.clock, d.cfg, { vacuum: d.vacuum });
    const deleted = Object.fromEntries(results.filter((r) => r.deleted > 0).map((r) => [r.name, r.deleted]));
    if (Object.keys(deleted).length > 0) d.logger.info({ deleted }, 'retention: purged rows past their retention');
  };
}
