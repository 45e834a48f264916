import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/database.ts';
import { count, hours, nearestRank } from './nearest-rank.ts';

/**
 * Cycle times: how long requests take from submission to approval, to their ERP document, to posting and to
 * payment. Every milestone is a business time written from the service's clock (or the ERP's own report of
 * posting and payment), never the database's now().
 */

/** Which requests a report covers: first submitted in [start, end), optionally one intent and one department. */
export interface ReportScope {
  tenantId: string;
  start: Date;
  end: Date;
  intent?: string | undefined;
  /** The requester's department id as the directory has it now (not when they submitted). */
  department?: string | undefined;
}

/** The stages, each between two milestones of one request. */
export const STAGES = ['submitToApproved', 'approvedToErpCreated', 'erpCreatedToPosted', 'postedToPaid', 'submitToPaid'] as const;
export type Stage = (typeof STAGES)[number];

const COLUMNS: Record<Stage, string> = {
  submitToApproved: 'submit_to_approved', approvedToErpCreated: 'approved_to_erp_created', erpCreatedToPosted: 'erp_created_to_posted',
  postedToPaid: 'posted_to_paid', submitToPaid: 'submit_to_paid',
};

/** `count`: requests that reached both ends of the stage; p50/p90 in hours (nearest-rank, see nearest-rank.ts). */
export interface StageFigures { count: number; p50Hours: number | null; p90Hours: number | null }
export interface GroupFigures { count: number; stages: Record<Stage, StageFigures> }
export interface CycleTimes {
  byIntent: (GroupFigures & { intent: string })[];
  byDepartment: (GroupFigures & { department: { id: string | null; name: string | null } })[];
}

/**
 * One row per request with each stage in seconds (null where a milestone is missing):
 * - submitted: the FIRST submission, requests.created_at (written with the same clock reading as the audit row
 *   'request.submit'; submitted_at moves to each resubmission, so it would hide the time spent before a rejection);
 * - approved: decided_at of an approved request (rejected and withdrawn requests never reach it);
 * - ERP created: erp_documents.created_at of the request's document (the newest that the ERP accepted, erp_id set),
 *   written when the create job first ran: a refusal replayed later still counts from that first attempt;
 * - posted / paid: the ERP's own posted_at / paid_at; paid only once paid in full.
 * `where` narrows the requests (a window and filters, or one request).
 */
export function stageRows(where: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    select r.id, r.intent_key, u.department_id,
      extract(epoch from m.approved - r.created_at)::float8 as submit_to_approved,
      extract(epoch from m.erp_created - m.approved)::float8 as approved_to_erp_created,
      extract(epoch from m.posted - m.erp_created)::float8 as erp_created_to_posted,
      extract(epoch from m.paid - m.posted)::float8 as posted_to_paid,
      extract(epoch from m.paid - r.created_at)::float8 as submit_to_paid
    from requests r
    left join users u on u.tenant_id = r.tenant_id and u.id = r.requester_id
    left join lateral (
      select e.created_at, e.posted_at, e.paid_at, e.status from erp_documents e
      where e.request_id = r.id and e.erp_id is not null order by e.created_at desc limit 1
    ) d on true
    cross join lateral (select
      case when r.status = 'approved' then r.decided_at end as approved,
      d.created_at as erp_created, d.posted_at as posted,
      case when d.status = 'paid' then d.paid_at end as paid) m
    where r.status <> 'draft' and ${where}`;
}

/** The scope's filters on `r` (requests) and `u` (the requester), shared by every report. */
export function scopeFilter(s: Omit<ReportScope, 'start' | 'end'>): RawBuilder<unknown> {
  return sql`r.tenant_id = ${s.tenantId}
    ${s.intent !== undefined ? sql`and r.intent_key = ${s.intent}` : sql``}
    ${s.department !== undefined ? sql`and u.department_id = ${s.department}` : sql``}`;
}

type Row = Record<string, unknown> & { by_intent: number; intent_key: string | null; department_id: string | null; department_name: string | null; n: string | number };

/**
 * Per intent and per department in one pass (grouping sets). The rows of the whole window are read by the
 * database to sort each stage for its percentiles: the cost grows with the requests submitted in the window
 * (the API caps it at 366 days), read through requests (tenant_id, created_at).
 */
export async function cycleTimes(db: Kysely<Database>, s: ReportScope): Promise<CycleTimes> {
  const aggregates = STAGES.map((st) => {
    const col = sql.ref(`s.${COLUMNS[st]}`);
    return sql`count(${col}) as ${sql.ref(`${COLUMNS[st]}_n`)}, ${nearestRank(0.5, col)} as ${sql.ref(`${COLUMNS[st]}_p50`)},
      ${nearestRank(0.9, col)} as ${sql.ref(`${COLUMNS[st]}_p90`)}`;
  });
  const window = sql`${scopeFilter(s)} and r.created_at >= ${s.start} and r.created_at < ${s.end}`;
  const { rows } = await sql<Row>`
    select g.*, dep.name as department_name from (
      select grouping(s.department_id) as by_intent, s.intent_key, s.department_id, count(*) as n, ${sql.join(aggregates)}
      from (${stageRows(window)}) s
      group by grouping sets ((s.intent_key), (s.department_id))
    ) g left join departments dep on dep.tenant_id = ${s.tenantId} and dep.id = g.department_id and g.by_intent = 0
    order by g.intent_key nulls last, g.department_id nulls last`.execute(db);
  const figures = (r: Row): GroupFigures => ({
    count: count(r.n),
    stages: Object.fromEntries(STAGES.map((st) => [st, {
      count: count(r[`${COLUMNS[st]}_n`] as string), p50Hours: hours(r[`${COLUMNS[st]}_p50`] as number | null), p90Hours: hours(r[`${COLUMNS[st]}_p90`] as number | null),
    }])) as Record<Stage, StageFigures>,
  });
  return {
    byIntent: rows.filter((r) => Number(r.by_intent) === 1).map((r) => ({ intent: r.intent_key ?? '', ...figures(r) })),
    byDepartment: rows.filter((r) => Number(r.by_intent) === 0).map((r) => ({ department: { id: r.department_id, name: r.department_name }, ...figures(r) })),
  };
}

/** One request's stages in hours (the same definitions as the report), or undefined when it is not in the tenant. */
export async function requestStages(db: Kysely<Database>, tenantId: string, requestId: string): Promise<Record<Stage, number | null> | undefined> {
  const { rows } = await sql<Record<string, number | null>>`${stageRows(sql`r.tenant_id = ${tenantId} and r.id = ${requestId}::uuid`)}`.execute(db);
  const row = rows[0];
  return row ? Object.fromEntries(STAGES.map((st) => [st, hours(row[COLUMNS[st]])])) as Record<Stage, number | null> : undefined;
}
