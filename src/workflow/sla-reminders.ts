import type { Kysely } from 'kysely';
import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Database } from '../db/database.ts';
import type { ApprovalService } from './approval-service.ts';

/** Requests reminded per run and SLA; the rest wait for the next run (oldest tasks first). */
const PER_RUN = 200;
/** The schema's default sla_hours, for requests whose intent has left the catalog. */
const DEFAULT_SLA_HOURS = 24;

/**
 * Reminds approvers of tasks pending longer than their intent's SLA, at most once per SLA period per
 * request (the machine's cooldown check makes concurrent runs on several replicas harmless). Intents
 * are grouped by SLA, and each group asks only for its own overdue tasks, oldest first, so tasks that
 * are not due yet never crowd out those that are.
 */
export async function remindOverdue(db: Kysely<Database>, catalog: IntentCatalog, approvals: ApprovalService, now: Date): Promise<number> {
  const bySla = new Map<number, string[]>();
  for (const i of catalog.formIntents) bySla.set(i.sla_hours, [...(bySla.get(i.sla_hours) ?? []), i.key]);
  const listed = catalog.formIntents.map((i) => i.key);
  // Requests of an intent no longer in the catalog still get reminders, after the default SLA.
  const groups: [number, 'in' | 'not in', string[]][] = [...bySla].map(([h, keys]) => [h, 'in', keys]);
  if (listed.length) groups.push([DEFAULT_SLA_HOURS, 'not in', listed]);
  let sent = 0;
  for (const [hours, op, keys] of groups) {
    const slaMs = hours * 3600_000;
    const due = new Date(now.getTime() - slaMs);
    const rows = await db.selectFrom('approval_tasks as t').innerJoin('requests as r', 'r.id', 't.request_id')
      .select(['r.id as request_id', 'r.tenant_id'])
      .where('t.status', '=', 'pending').where('r.status', '=', 'pending').where('r.intent_key', op, keys)
      .where('t.created_at', '<', due)
      .where((eb) => eb.or([eb('t.reminded_at', 'is', null), eb('t.reminded_at', '<', due)]))
      .orderBy('t.created_at').orderBy('t.id').limit(PER_RUN).execute();
    const seen = new Set<string>();
    for (const row of rows) {
      if (seen.has(row.request_id)) continue;
      seen.add(row.request_id);
      const out = await approvals.act(row.tenant_id, row.request_id, { type: 'remind', actor: 'system', cooldownMs: slaMs }, 'system');
      if (out.ok) sent++;
    }
  }
  return sent;
}
