import { sql, type Kysely } from 'kysely';
import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Database } from '../db/database.ts';
import type { ApprovalService } from './approval-service.ts';

/**
 * Reminds approvers of tasks pending longer than their intent's SLA, at most once per SLA period per
 * task (the machine's cooldown check makes concurrent runs on several replicas harmless).
 */
export async function remindOverdue(db: Kysely<Database>, catalog: IntentCatalog, approvals: ApprovalService, now: Date): Promise<number> {
  const shortest = Math.min(...catalog.formIntents.map((i) => i.sla_hours));
  if (!Number.isFinite(shortest)) return 0;
  const rows = await db.selectFrom('approval_tasks as t').innerJoin('requests as r', 'r.id', 't.request_id')
    .select(['r.id as request_id', 'r.tenant_id', 'r.intent_key', 't.created_at', 't.reminded_at'])
    .where('t.status', '=', 'pending').where('r.status', '=', 'pending')
    .where('t.created_at', '<', new Date(now.getTime() - shortest * 3600_000))
    .where((eb) => eb.or([eb('t.reminded_at', 'is', null), eb('t.reminded_at', '<', sql<Date>`${new Date(now.getTime() - shortest * 3600_000)}`)]))
    .limit(200).execute();
  let sent = 0;
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.request_id)) continue;
    seen.add(row.request_id);
    const slaMs = (catalog.get(row.intent_key)?.sla_hours ?? 24) * 3600_000;
    if (now.getTime() - row.created_at.getTime() < slaMs) continue;
    const out = await approvals.act(row.tenant_id, row.request_id, { type: 'remind', actor: 'system', cooldownMs: slaMs }, 'system');
    if (out.ok) sent++;
  }
  return sent;
}
