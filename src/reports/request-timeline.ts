import type { Kysely } from 'kysely';
import type { Localized } from '../config/intent-schema.ts';
import type { Database } from '../db/database.ts';
import { getUsers } from '../directory/directory-repo.ts';
import * as requestRepo from '../workflow/request-repo.ts';
import { requestStages, STAGES, type Stage } from './cycle-times.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Person = { id: string; name: string | null };

export interface TimelineTask {
  approver: Person;
  status: string;
  createdAt: string;
  actedBy: string | null;
  actedAt: string | null;
  comment: string | null;
  transferredFrom: string | null;
}

export interface TimelineStep {
  index: number;
  name: Localized;
  mode: 'any' | 'all';
  /** When the step was complete: its last approval, once the request moved past it (null: not yet). */
  approvedAt: string | null;
  tasks: TimelineTask[];
}

/** One request from first submission to payment; steps and tasks are the current revision's. */
export interface RequestTimeline {
  id: string;
  number: string;
  intent: string;
  status: string;
  revision: number;
  requester: Person & { department: { id: string; name: string } | null };
  /** The first submission; `revisionSubmittedAt` is the current revision's (later when it was resubmitted). */
  submittedAt: string;
  revisionSubmittedAt: string;
  steps: TimelineStep[];
  /** Approved, rejected or withdrawn, and when (null: still pending). */
  decision: { status: string; at: string } | null;
  erp: { connector: string; docKind: string; number: string | null; status: string; createdAt: string; postedAt: string | null; paidAt: string | null }[];
  /** The report's stages for this request, in hours (null where it has not got that far). */
  stageHours: Record<Stage, number | null>;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

/** Who did what when on one request; undefined when the tenant has no such request. */
export async function requestTimeline(db: Kysely<Database>, tenantId: string, requestId: string): Promise<RequestTimeline | undefined> {
  if (!UUID.test(requestId)) return undefined;
  const req = await requestRepo.findRequest(db, tenantId, requestId);
  if (!req) return undefined;
  const [tasks, docs, stageHours] = await Promise.all([
    requestRepo.listTasks(db, req.id),
    db.selectFrom('erp_documents').selectAll().where('request_id', '=', req.id).orderBy('created_at').execute(),
    requestStages(db, tenantId, req.id),
  ]);
  const current = tasks.filter((t) => t.revision === req.revision).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const people = await getUsers(db, tenantId, [req.requesterId, ...current.map((t) => t.approverId)]);
  const requester = people.get(req.requesterId);
  const dept = requester?.departmentId
    ? await db.selectFrom('departments').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', '=', requester.departmentId).executeTakeFirst()
    : undefined;
  const person = (id: string): Person => ({ id, name: people.get(id)?.name ?? null });
  const steps = req.steps.map((s): TimelineStep => {
    const mine = current.filter((t) => t.stepIndex === s.index);
    const approvals = mine.filter((t) => t.status === 'approved' && t.actedAt).map((t) => (t.actedAt as Date).getTime());
    const passed = req.status === 'approved' || s.index < req.currentStep;
    return {
      index: s.index, name: s.name, mode: s.mode, approvedAt: passed && approvals.length ? new Date(Math.max(...approvals)).toISOString() : null,
      tasks: mine.map((t) => ({ approver: person(t.approverId), status: t.status, createdAt: t.createdAt.toISOString(), actedBy: t.actedBy,
        actedAt: iso(t.actedAt), comment: t.comment, transferredFrom: t.transferredFrom })),
    };
  });
  return {
    id: req.id, number: req.number, intent: req.intentKey, status: req.status, revision: req.revision,
    requester: { ...person(req.requesterId), department: dept ?? null },
    submittedAt: req.createdAt.toISOString(), revisionSubmittedAt: req.submittedAt.toISOString(), steps,
    decision: req.decidedAt ? { status: req.status, at: req.decidedAt.toISOString() } : null,
    erp: docs.map((d) => ({ connector: d.connector, docKind: d.doc_kind, number: d.number, status: d.status, createdAt: d.created_at.toISOString(),
      postedAt: iso(d.posted_at), paidAt: iso(d.paid_at) })),
    stageHours: stageHours ?? (Object.fromEntries(STAGES.map((st) => [st, null])) as Record<Stage, number | null>),
  };
}
