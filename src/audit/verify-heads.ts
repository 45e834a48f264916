import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { headMacText, type AuditKeys } from './audit-keys.ts';

/** A chain that failed a check: which, where, and what is wrong, in words. */
export interface ChainProblem { tenantId: string; chain: string; seq: number; reason: string }

/**
 * Only refusal chains (`bot:<id>`, `endpoint:<path>`) lose rows from their start: retention purges old refusals and
 * moves the head's floor (scheduler/retention-audit.ts). A floor anywhere else means rows were deleted.
 */
export function mayHaveFloor(chain: string): boolean {
  return chain.startsWith('bot:') || chain.startsWith('endpoint:');
}

interface SignedRow {
  tenant_id: string; chain: string; m_seq: string | number; m_hash: string; key_id: string; mac: string;
  h_seq: string | number | null; floor_seq: string | number | null; row_hash: string | null;
}

/**
 * Every signed head against the chain as it is now: the MAC must verify with the key of its id, the head must not
 * be behind the signed seq, and the row at the signed seq must still have the signed hash (unless retention purged
 * it from a refusal chain). Catches a tail cut with the head moved back, a rewrite with the hashes recomputed, and a
 * chain deleted while its signature stayed.
 */
export async function checkSignedHeads(db: Kysely<Database>, keys: AuditKeys): Promise<{ signed: number; problems: ChainProblem[] }> {
  const { rows } = await sql<SignedRow>`
    select m.tenant_id, m.chain, m.seq as m_seq, m.hash as m_hash, m.key_id, m.mac, h.seq as h_seq, h.floor_seq, l.hash as row_hash
    from audit_head_macs m
    left join audit_heads h on h.tenant_id = m.tenant_id and h.chain = m.chain
    left join audit_log l on l.tenant_id = m.tenant_id and l.chain = m.chain and l.seq = m.seq
    order by m.tenant_id, m.chain`.execute(db);
  const problems: ChainProblem[] = [];
  for (const r of rows) {
    const seq = Number(r.m_seq);
    const p = (reason: string): void => { problems.push({ tenantId: r.tenant_id, chain: r.chain, seq, reason }); };
    const mac = keys.check(headMacText(r.tenant_id, r.chain, seq, r.m_hash), r.key_id, r.mac);
    if (mac === 'unknown_key') p(`its head was signed with key id ${r.key_id}, which is not configured`);
    else if (mac === 'mismatch') p('the signed head does not match its MAC (its seq or hash was changed)');
    else if (r.h_seq === null) p(`the chain was deleted (its head was signed at seq ${seq})`);
    else if (Number(r.h_seq) < seq) p(`the chain was cut back: its head is at seq ${Number(r.h_seq)}, it was signed at seq ${seq}`);
    else if (seq > Number(r.floor_seq ?? 0) || !mayHaveFloor(r.chain)) {
      if (r.row_hash === null) p(`row ${seq}, where the head was signed, is missing`);
      else if (r.row_hash !== r.m_hash) p(`row ${seq} differs from the signed head (rewritten, hashes recomputed)`);
    }
  }
  return { signed: rows.length, problems };
}
