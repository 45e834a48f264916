import { sql, type Kysely, type Transaction } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';
import { headMacText, type AuditKeys } from './audit-keys.ts';
import { makeLine, type CheckpointHead } from './checkpoint-line.ts';
import type { CheckpointSink } from './checkpoint-sink.ts';

export interface CheckpointDeps {
  db: Kysely<Database>;
  keys: AuditKeys;
  clock: Clock;
  /** Null: heads are signed but not exported (no AUDIT_CHECKPOINT_FILE or _URL). */
  sink: CheckpointSink | null;
  /** Heads per line (and per transaction). */
  batch?: number;
}

export interface CheckpointRun { signed: number; lines: number; delivered: number }

/** One key for "one checkpoint writer at a time" across replicas (pg_advisory_xact_lock). */
const CHECKPOINT_LOCK = 7_242_014;
const DEFAULT_BATCH = 1000;

/**
 * A scheduled run: every chain head that moved since it was last signed gets a new MAC (audit_head_macs), and those
 * heads go out as one line of the export per batch; then the lines not yet delivered are delivered, in order.
 *
 * Between two runs a head is unsigned past its last MAC: a tail cut in that window is only as visible as the chain
 * hashes make it. Run it often (AUDIT_CHECKPOINT_MS); audit:verify runs one first when it can.
 */
export async function runCheckpoint(d: CheckpointDeps): Promise<CheckpointRun> {
  const run: CheckpointRun = { signed: 0, lines: 0, delivered: 0 };
  const batch = d.batch ?? DEFAULT_BATCH;
  for (;;) {
    const n = await d.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${CHECKPOINT_LOCK})`.execute(trx);
      const heads = await signBatch(trx, d.keys, d.clock.now(), batch);
      if (heads.length > 0 && d.sink) {
        await appendLine(trx, d.keys, d.clock.now(), heads);
        run.lines++;
      }
      return heads.length;
    });
    run.signed += n;
    if (n < batch) break;
  }
  if (d.sink) run.delivered = await deliver(d.db, d.sink, d.clock.now());
  return run;
}

/** Signs up to `limit` heads whose (seq, hash) differ from their last MAC; answers them as exported. */
async function signBatch(trx: Transaction<Database>, keys: AuditKeys, now: Date, limit: number): Promise<CheckpointHead[]> {
  const { rows } = await sql<{ tenant_id: string; chain: string; seq: string | number; hash: string }>`
    select h.tenant_id, h.chain, h.seq, h.hash from audit_heads h
    left join audit_head_macs m on m.tenant_id = h.tenant_id and m.chain = h.chain
    where m.chain is null or m.seq <> h.seq or m.hash <> h.hash
    order by h.tenant_id, h.chain limit ${limit}`.execute(trx);
  if (rows.length === 0) return [];
  const heads = rows.map((r) => {
    const seq = Number(r.seq);
    const { keyId, mac } = keys.sign(headMacText(r.tenant_id, r.chain, seq, r.hash));
    return { t: r.tenant_id, c: r.chain, s: seq, h: r.hash, k: keyId, m: mac };
  });
  await trx.insertInto('audit_head_macs')
    .values(heads.map((h) => ({ tenant_id: h.t, chain: h.c, seq: h.s, hash: h.h, key_id: h.k, mac: h.m, signed_at: now })))
    .onConflict((oc) => oc.columns(['tenant_id', 'chain']).doUpdateSet((eb) => ({
      seq: eb.ref('excluded.seq'), hash: eb.ref('excluded.hash'), key_id: eb.ref('excluded.key_id'), mac: eb.ref('excluded.mac'), signed_at: eb.ref('excluded.signed_at'),
    })))
    .execute();
  return heads;
}

async function appendLine(trx: Transaction<Database>, keys: AuditKeys, now: Date, heads: CheckpointHead[]): Promise<void> {
  const last = await trx.selectFrom('audit_checkpoints').select(['seq', 'line']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const seq = last ? Number(last.seq) + 1 : 1;
  await trx.insertInto('audit_checkpoints').values({ seq, at: now, line: makeLine(keys, last?.line ?? null, seq, now, heads) }).execute();
}

/**
 * Delivers the lines not yet delivered, oldest first. A file tells how far it got, so a line written just before a
 * crash is not written twice. Delivered lines leave the table except the last, which the next line links to.
 */
async function deliver(db: Kysely<Database>, sink: CheckpointSink, now: Date): Promise<number> {
  const pending = await db.selectFrom('audit_checkpoints').select(['seq', 'line']).where('delivered_at', 'is', null).orderBy('seq').execute();
  if (pending.length === 0) return 0;
  const held = await sink.lastSeq();
  const todo = pending.map((p) => ({ seq: Number(p.seq), line: p.line })).filter((p) => held === null || p.seq > held);
  await sink.deliver(todo);
  const upTo = pending.at(-1)!.seq;
  await db.updateTable('audit_checkpoints').set({ delivered_at: now }).where('delivered_at', 'is', null).where('seq', '<=', upTo).execute();
  await db.deleteFrom('audit_checkpoints').where('delivered_at', 'is not', null).where('seq', '<', upTo).execute();
  return todo.length;
}
