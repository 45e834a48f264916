import { sql } from 'kysely';
import { docKey, settlePass, type CheckContext, type CheckResult } from './check-pass.ts';

/**
 * approved_in_erp_without_chat: a document made in the ERP for approval in chat that the ERP shows approved while its
 * chat request is not (still pending, withdrawn because it was decided in the ERP, rejected) or that never reached chat.
 * Someone approved it in the ERP itself, past the approval route.
 */
export async function checkApprovedInErpWithoutChat(c: CheckContext): Promise<CheckResult> {
  const rows = await c.db.selectFrom('erp_originated as o').leftJoin('requests as r', 'r.id', 'o.request_id')
    .select(['o.connector', 'o.erp_id', 'o.number', 'o.doc_kind', 'o.request_id', 'r.number as request_number', 'r.status as request_status'])
    .select(sql<string | null>`r.erp_origin->>'link'`.as('link'))
    .where('o.tenant_id', '=', c.tenantId).where('o.state', '=', 'approved')
    .where((eb) => eb.or([eb('r.id', 'is', null), eb('r.status', '<>', 'approved')]))
    .execute();
  return settlePass(c, 'approved_in_erp_without_chat', rows.map((r) => ({
    key: docKey(r.connector, r.erp_id), requestId: r.request_id, connector: r.connector, erpId: r.erp_id,
    details: { documentNumber: r.number, docKind: r.doc_kind, requestNumber: r.request_number, requestStatus: r.request_status, link: r.link },
  })));
}

/**
 * drift.departed_approver: a pending approval task (of a request's current revision) held by someone who has left:
 * inactive (or gone) in the directory, or linked to an ERP employee record that the ERP shows inactive. One finding
 * per approver and request, so it closes as soon as that task is transferred or the request moves on.
 */
export async function checkDepartedApprovers(c: CheckContext): Promise<CheckResult> {
  const inactiveInErp = sql<string | null>`(select l.connector || ':' || l.erp_id from erp_person_links l
    join erp_master_records m on m.connector = l.connector and m.erp_id = l.erp_id and m.kind = 'employee'
    where l.tenant_id = t.tenant_id and l.user_id = t.approver_id and not m.active limit 1)`;
  const rows = await c.db.selectFrom('approval_tasks as t')
    .innerJoin('requests as r', (j) => j.onRef('r.id', '=', 't.request_id').onRef('r.revision', '=', 't.revision'))
    .leftJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 't.tenant_id').onRef('u.id', '=', 't.approver_id'))
    .select(['t.approver_id', 't.request_id', 'r.number', 'u.name', 'u.active', inactiveInErp.as('inactive_in_erp')])
    .where('t.tenant_id', '=', c.tenantId).where('t.status', '=', 'pending').where('r.status', '=', 'pending')
    .where(sql<boolean>`(u.active is not true or ${inactiveInErp} is not null)`)
    .execute();
  const found = rows.map((r) => ({
    key: `${r.approver_id}:${r.request_id}`, requestId: r.request_id,
    details: {
      approverId: r.approver_id, approverName: r.name ?? r.approver_id, requestNumber: r.number,
      // Where they are seen to have left: the directory (inactive, or no longer in it) or an ERP employee record.
      leftIn: r.active !== true ? 'directory' : 'erp', ...(r.inactive_in_erp ? { erpEmployee: r.inactive_in_erp } : {}),
    },
  }));
  return settlePass(c, 'drift.departed_approver', found);
}
