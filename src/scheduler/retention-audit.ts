import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/database.ts';

/**
 * Refusals in the audit log: requests that failed verification (`inbound.rejected`, platforms/rejection-audit.ts and
 * the HTTP layer), clicks and messages from people not in the directory (`card.denied`, `inbound.unknown_user`).
 * Anyone can cause them, so they grow with traffic, unlike the business rows of the log, which are kept. They live
 * in chains of their own (subjects `bot:<id>` and `endpoint:<path>`).
 *
 * A hash chain detects a deleted row, so rows leave a chain only from its start: a purge deletes the oldest rows of
 * a chain up to the first one it must keep, and records in the chain's head where the chain now starts (floor_seq)
 * and the hash the first kept row links to (floor_hash); audit:verify checks from there (audit/audit-log.ts). A
 * chain left empty keeps its head, floor at its last seq: its signed head and checkpoints still name it, and a
 * missing head means a deleted chain. (Refusals no longer make a chain per request path: they are counted,
 * audit/refusal-counts.ts, so these heads are few.)
 */
const REFUSAL = sql`subject_type in ('bot', 'endpoint') and action in ('inbound.rejected', 'card.denied', 'inbound.unknown_user')`;

interface Chain { tenant_id: string; chain: string }

/**
 * Deletes refusal rows recorded before `cutoff`, in batches of at most `limit` rows (one transaction each), oldest
 * chains first. A chain whose oldest row must stay (a row of another kind, or a newer one recorded with an earlier
 * clock) is left as it is.
 */
export async function purgeRefusals(db: Kysely<Database>, cutoff: Date, limit: number): Promise<{ deleted: number; batches: number }> {
  const blocked: Chain[] = [];
  let deleted = 0;
  let batches = 0;
  for (;;) {
    // The chains of the oldest purgeable rows (audit_log_refusals index).
    const skip = blocked.length ? sql`and (tenant_id, chain) not in (${sql.join(blocked.map((b) => sql`(${b.tenant_id}, ${b.chain})`))})` : sql``;
    const { rows: chains } = await sql<Chain>`select distinct tenant_id, chain from (
        select tenant_id, chain from audit_log where ${REFUSAL} and at < ${cutoff} ${skip} order by at limit ${limit}) oldest`.execute(db);
    if (chains.length === 0) return { deleted, batches };
    for (const c of chains) {
      for (;;) {
        const n = await purgeChainStart(db, c, cutoff, limit);
        batches++;
        deleted += n;
        if (n === 0) blocked.push(c);
        if (n < limit) break;
      }
    }
  }
}

/** One batch: the chain's oldest rows up to the first one to keep (at most `limit`); answers how many went. */
async function purgeChainStart(db: Kysely<Database>, c: Chain, cutoff: Date, limit: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const inChain = (): RawBuilder<unknown> => sql`tenant_id = ${c.tenant_id} and chain = ${c.chain}`;
    // The head first, locked: appends to this chain wait (they lock it first too, so the two cannot deadlock).
    const head = (await sql<{ seq: number; floor_seq: number }>`select seq, floor_seq from audit_heads where ${inChain()} for update`.execute(trx)).rows[0];
    if (!head) return 0; // rows without a head: audit:verify reports them; not ours to remove
    const { rows } = await sql<{ seq: number; hash: string; purgeable: boolean }>`
      select seq, hash, (${REFUSAL} and at < ${cutoff}) as purgeable from audit_log
      where ${inChain()} and seq > ${head.floor_seq} order by seq limit ${limit}`.execute(trx);
    const firstKept = rows.findIndex((r) => !r.purgeable);
    const last = firstKept < 0 ? rows.at(-1) : rows[firstKept - 1];
    if (!last) return 0;
    const r = await sql`delete from audit_log where ${inChain()} and seq > ${head.floor_seq} and seq <= ${last.seq}`.execute(trx);
    // An emptied chain keeps its head (floor = seq): a chain whose head is gone reads as deleted to audit:verify.
    await sql`update audit_heads set floor_seq = ${last.seq}, floor_hash = ${last.hash} where ${inChain()}`.execute(trx);
    return Number(r.numAffectedRows ?? 0n);
  });
}
