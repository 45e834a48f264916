import { describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../../src/core/inbound-event.ts';
import { inboxRow } from '../../../src/inbox/inbox-repo.ts';
import { jobRow, type NewJob } from '../../../src/jobs/enqueue.ts';
import { commitPayload, type CommitPayload } from '../../../src/workflow/request-commit.ts';
import type { WritePlan } from '../../../src/workflow/request-effects.ts';
import type { RequestRecord } from '../../../src/workflow/request-repo.ts';
import { newestFunctionFiles } from '../../support/sql-files.ts';
import { checkJsonKeys, type SqlFn } from '../../support/sql-json-keys.ts';

/**
 * Every key the newest SQL functions read from their jsonb arguments is one the TypeScript builders produce:
 * commitPayload() for commit_request_change() / commit_request_changes() (and, through them, inbox_record() and
 * outbox_enqueue()), inboxRow() for inbox_record(), jobRow() for outbox_enqueue(). The samples fill every optional
 * part (inbound event, task updates and inserts, reminders, plain and coalesced jobs) and go through JSON, as the
 * SQL sees them: a key the builder leaves undefined is missing there too.
 */
const at = new Date('2026-11-20T08:00:00.000Z');
const request: RequestRecord = {
  id: '00000000-0000-4000-8000-000000000001', tenantId: 'default', number: 'EXP-202611-0001', intentKey: 'expense_claim', intentVersion: 1,
  requesterId: 'zhangsan', status: 'pending', currentStep: 1, revision: 1, fields: { amount: '12.00' }, amount: '12.00',
  steps: [{ index: 0, name: { zh: '主管', en: 'Manager' }, mode: 'any', approvers: ['lisi'] }], erpStatus: 'none', erpRef: null,
  origin: { platform: 'console', botId: 'console', userExternalId: 'zhangsan' }, rejectReason: null, version: 3,
  createdAt: at, updatedAt: at, submittedAt: at, decidedAt: null, erpOrigin: null,
};
const jobs: NewJob[] = [
  { tenantId: 'default', kind: 'message.send', payload: { userId: 'lisi' }, idempotencyKey: 'notify:1', queueKey: 'chat:console:lisi', runAt: at },
  { tenantId: 'default', kind: 'card.sync', payload: { requestId: '1', userId: 'lisi', role: 'approver' }, idempotencyKey: 'card.sync:1:v3', coalesceKey: 'card.sync:1' },
];
const plan: WritePlan = {
  at, jobs, remindedTaskIds: ['00000000-0000-4000-8000-000000000003'],
  taskUpdates: [{ id: '00000000-0000-4000-8000-000000000002', status: 'approved', actedBy: 'lisi', comment: 'ok' }],
  taskInserts: [{ id: '00000000-0000-4000-8000-000000000004', stepIndex: 1, approverId: 'wangwu', transferredFrom: null }],
};
const click: InboundEvent = {
  kind: 'card_action', source: 'console:console', eventId: 'ev-1', platform: 'console', botId: 'console', tenantId: 'default',
  sender: { platform: 'console', botId: 'console', externalId: 'lisi' }, receivedAt: at,
  message: { platform: 'console', botId: 'console', messageId: 'm-1' }, chat: { platform: 'console', botId: 'console', userExternalId: 'lisi' },
  actionId: 'approve', value: { op: 'approve' }, form: {},
};
const audit = { tenantId: 'default', at, actor: 'lisi', action: 'request.approve', source: 'card' as const, subjectType: 'request', subjectId: request.id, after: { status: 'pending' } };

const wire = <T>(v: T): unknown => JSON.parse(JSON.stringify(v));
const payload = (): CommitPayload => commitPayload(request, 2, plan, audit, 5, click);
const roots = (p: unknown): Record<string, Record<string, unknown>> => ({
  commit_request_change: { p },
  commit_request_changes: { p: [p] },
  inbox_record: { p_events: wire([inboxRow(click)]) },
  outbox_enqueue: { p_jobs: wire(jobs.map(jobRow)) },
});
const newest = (): Map<string, SqlFn> => new Map([...newestFunctionFiles()].map(([name, f]) => [name, { args: f.args, body: f.body }]));

describe('commit payload keys', () => {
  it('every key the newest SQL functions read is produced by the TypeScript builders', () => {
    const problems = checkJsonKeys(newest(), roots(wire(payload())));
    expect(problems).toEqual([]);
  });

  it('the check follows every jsonb argument into the functions it reaches', () => {
    const fns = newest();
    // A key no builder makes, read in each function the commit reaches: each is caught (so each is checked).
    for (const [fn, accessor] of [['commit_request_change', "r->>'amount'"], ['commit_request_changes', "value->'request'->>'id'"],
      ['inbox_record', "e->>'event_id'"], ['outbox_enqueue', "j->>'queue_key'"]] as const) {
      const def = fns.get(fn);
      expect(def?.body).toContain(accessor);
      const misspelt = new Map(fns).set(fn, { args: def?.args ?? '', body: (def?.body ?? '').replace(accessor, `${accessor.slice(0, -1)}_x'`) });
      const problems = checkJsonKeys(misspelt, roots(wire(payload())));
      expect(problems.length, fn).toBeGreaterThan(0);
      expect(problems.every((p) => p.includes(`has no key '${accessor.slice(accessor.lastIndexOf("'", accessor.length - 2) + 1, -1)}_x'`)), problems.join('\n')).toBe(true);
    }
  });

  it('a key the builder misspells fails the check, in the commit payload and in the rows it shares with the inbox and the outbox', () => {
    const p = wire(payload()) as { request: Record<string, unknown>; inbound: Record<string, unknown>; jobs: Record<string, unknown>[] };
    p.request.amout = p.request.amount;
    delete p.request.amount;
    expect(checkJsonKeys(newest(), roots(p))).toContain("commit_request_change: r->>'amount': commit_request_change(p).request has no key 'amount'");
    const q = wire(payload()) as typeof p;
    delete q.inbound.conversation_key;
    expect(checkJsonKeys(newest(), roots(q)).some((x) => x.startsWith('inbox_record:') && x.endsWith("has no key 'conversation_key'"))).toBe(true);
    const r = wire(payload()) as typeof p;
    for (const j of r.jobs) delete j.coalesce_key;
    expect(checkJsonKeys(newest(), roots(r)).some((x) => x.startsWith('outbox_enqueue:') && x.endsWith("has no key 'coalesce_key'"))).toBe(true);
  });

  it('a variable bound in a form the check does not follow is reported, not skipped', () => {
    const fns = newest();
    const def = fns.get('commit_request_change');
    const changed = new Map(fns).set('commit_request_change', { args: def?.args ?? '', body: (def?.body ?? '').replace(/\br->>'number'/, "q->>'number'") });
    expect(checkJsonKeys(changed, roots(wire(payload())))).toContain("commit_request_change: `q->>'number'` reads `q`, which is bound in no form this check follows");
  });
});
