import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { AuditKeys } from './audit-keys.ts';
import { FIRST_PREV, lineHash, readLine, type CheckpointHead } from './checkpoint-line.ts';
import { mayHaveFloor, type ChainProblem } from './verify-heads.ts';

export interface CheckpointCheck { lines: number; chains: number; problems: string[]; chainProblems: ChainProblem[] }

/**
 * The export against itself and against the database. The lines: numbered from 1 without a gap, each linked to the
 * one before (a dropped line breaks the link), each MAC valid (an edited line does not verify); and the file must
 * reach the last line the database says was delivered (a cut tail). The chains: for each chain, its latest
 * checkpointed head must still be there, at that seq or beyond, with the row at that seq still hashing as exported.
 */
export async function checkCheckpoints(db: Kysely<Database>, keys: AuditKeys, texts: string[]): Promise<CheckpointCheck> {
  const problems: string[] = [];
  const latest = new Map<string, CheckpointHead>();
  let prev = FIRST_PREV;
  let good = 0;
  for (const [i, text] of texts.entries()) {
    const n = i + 1;
    const read = readLine(keys, text);
    if ('problem' in read) { problems.push(`line ${n}: ${read.problem}`); break; }
    const { line } = read;
    if (line.seq !== n) { problems.push(`line ${n}: numbered ${line.seq} (lines before it were removed or added)`); break; }
    if (line.prev !== prev) { problems.push(`line ${n}: does not link to line ${n - 1} (a line was removed or replaced)`); break; }
    prev = lineHash(text);
    good = n;
    for (const h of line.heads) latest.set(`${h.t}\u0000${h.c}`, h);
  }
  const delivered = await db.selectFrom('audit_checkpoints').select((eb) => eb.fn.max('seq').as('seq')).where('delivered_at', 'is not', null).executeTakeFirst();
  const deliveredSeq = Number(delivered?.seq ?? 0);
  if (problems.length === 0 && deliveredSeq > texts.length) {
    problems.push(`the export ends at line ${texts.length}, but line ${deliveredSeq} was delivered (its tail was cut)`);
  }
  return { lines: good, chains: latest.size, problems, chainProblems: await checkChains(db, [...latest.values()]) };
}

async function checkChains(db: Kysely<Database>, heads: CheckpointHead[]): Promise<ChainProblem[]> {
  const problems: ChainProblem[] = [];
  for (let i = 0; i < heads.length; i += 500) {
    const page = heads.slice(i, i + 500);
    const keys = sql.join(page.map((h) => sql`(${h.t}, ${h.c}, ${h.s})`));
    const { rows } = await sql<{ t: string; c: string; h_seq: string | number | null; floor_seq: string | number | null; row_hash: string | null }>`
      select k.t, k.c, h.seq as h_seq, h.floor_seq, l.hash as row_hash
      from (values ${keys}) as k(t, c, s)
      left join audit_heads h on h.tenant_id = k.t and h.chain = k.c
      left join audit_log l on l.tenant_id = k.t and l.chain = k.c and l.seq = k.s::bigint`.execute(db);
    const found = new Map(rows.map((r) => [`${r.t}\u0000${r.c}`, r]));
    for (const cp of page) {
      const r = found.get(`${cp.t}\u0000${cp.c}`);
      const p = (reason: string): void => { problems.push({ tenantId: cp.t, chain: cp.c, seq: cp.s, reason }); };
      if (!r || r.h_seq === null) p(`the chain was deleted (checkpointed at seq ${cp.s})`);
      else if (Number(r.h_seq) < cp.s) p(`the chain was cut back: its head is at seq ${Number(r.h_seq)}, checkpointed at seq ${cp.s}`);
      else if (cp.s > Number(r.floor_seq ?? 0) || !mayHaveFloor(cp.c)) {
        if (r.row_hash === null) p(`row ${cp.s}, checkpointed, is missing`);
        else if (r.row_hash !== cp.h) p(`row ${cp.s} differs from the checkpoint (rewritten, hashes recomputed)`);
      }
    }
  }
  return problems;
}
