import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import type { InboundEvent } from '../../src/core/inbound-event.ts';
import { CommitBatcher } from '../../src/workflow/commit-batcher.ts';
import { commitPayload, type CommitPayload } from '../../src/workflow/request-commit.ts';
import type { RequestRecord } from '../../src/workflow/request-repo.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

let tdb: TestDb;
let app: App;

beforeAll(async () => {
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, noWorkers: true });
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
});

/** A change that only bumps the request's version and records an audit row (a comment-like change). */
function bump(r: RequestRecord, note: string, inbound?: InboundEvent): CommitPayload {
  const at = new Date();
  return commitPayload({ ...r, version: r.version + 1, updatedAt: at }, r.version, { at, taskInserts: [], taskUpdates: [], remindedTaskIds: [], jobs: [] },
    { tenantId: r.tenantId, at, actor: 'lisi', action: 'request.comment', source: 'api', subjectType: 'request', subjectId: r.id, after: { note } }, 8, inbound);
}

function click(eventId: string, r: RequestRecord): InboundEvent {
  return {
    kind: 'card_action', source: 'console:console', eventId, platform: 'console', botId: 'console', tenantId: 'default',
    sender: { platform: 'console', botId: 'console', externalId: 'lisi' }, receivedAt: new Date(),
    message: { platform: 'console', botId: 'console', messageId: 'm' }, chat: { platform: 'console', botId: 'console', userExternalId: 'lisi' },
    actionId: 'comment', value: { op: 'comment', requestId: r.id }, form: {},
  };
}

const version = async (id: string): Promise<number> =>
  (await app.db.db.selectFrom('requests').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version;

async function fresh(n: number): Promise<RequestRecord[]> {
  const out: RequestRecord[] = [];
  for (let i = 0; i < n; i++) out.push(await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: `${10 + i}.00`, date: '2026-11-20' }));
  return out;
}

describe('group commit of request changes', () => {
  it('changes arriving while a batch runs share the next one; a faulty change fails alone, the others are written', async () => {
    const sizes: number[] = [];
    const batcher = new CommitBatcher(app.db.db, { maxInFlight: 1, maxBatch: 32, onBatch: (n) => sizes.push(n) });
    const [a, b, c] = await fresh(3);
    if (!a || !b || !c) throw new Error('no requests');
    const broken = { ...bump(c, 'broken'), task_updates: [{ id: 'not-a-uuid', status: 'approved' as const, acted_by: null, comment: null }] };
    const results = await Promise.allSettled([batcher.commit(bump(a, 'a')), batcher.commit(bump(b, 'b')), batcher.commit(broken), batcher.commit(bump(c, 'c'))]);
    console.log('group commit: batch sizes %j (the batch of 3 failed on one change and was re-run change by change)', sizes);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'error'))).toEqual(['written', 'written', 'error', 'written']);
    expect(sizes).toEqual([1, 3, 1, 1, 1]);
    expect([await version(a.id), await version(b.id), await version(c.id)]).toEqual([a.version + 1, b.version + 1, c.version + 1]);
    const audit = await app.db.db.selectFrom('audit_log').select('after').where('subject_id', '=', c.id).where('action', '=', 'request.comment').execute();
    expect(audit.map((x) => (x.after as { note: string }).note)).toEqual(['c']);
  });

  it('two changes of one request in one batch: the first is written, the second lost the race and wrote nothing', async () => {
    const batcher = new CommitBatcher(app.db.db, { maxInFlight: 1, maxBatch: 32 });
    const [blocker, r] = await fresh(2);
    if (!blocker || !r) throw new Error('no requests');
    const out = await Promise.all([batcher.commit(bump(blocker, 'x')), batcher.commit(bump(r, 'first', click('gc-1', r))), batcher.commit(bump(r, 'second', click('gc-2', r)))]);
    expect(out).toEqual(['written', 'written', 'stale']);
    expect(await version(r.id)).toBe(r.version + 1);
    // The loser's inbound event was taken back, so its retry on fresh state can record it.
    const events = await app.db.db.selectFrom('inbox_events').select('event_id').where('event_id', 'in', ['gc-1', 'gc-2']).execute();
    expect(events.map((e) => e.event_id)).toEqual(['gc-1']);
  });

  it('one event twice in a batch (a redelivery racing the first delivery) is written once, then reported as duplicate', async () => {
    const batcher = new CommitBatcher(app.db.db, { maxInFlight: 1, maxBatch: 32 });
    const [blocker, r, s] = await fresh(3);
    if (!blocker || !r || !s) throw new Error('no requests');
    const out = await Promise.all([batcher.commit(bump(blocker, 'x')), batcher.commit(bump(r, 'once', click('gc-dup', r))), batcher.commit(bump(s, 'other')),
      batcher.commit(bump(r, 'again', click('gc-dup', r)))]);
    expect(out).toEqual(['written', 'written', 'written', 'duplicate']);
    expect(await version(r.id)).toBe(r.version + 1);
    expect(await version(s.id)).toBe(s.version + 1);
  });

  it('concurrent approvals through the service are group-committed and each is applied once', async () => {
    const reqs = await fresh(24);
    const before = await app.metrics.commitBatch.get();
    const count = (m: typeof before): number => m.values.find((v) => v.metricName === 'approval_commit_batch_size_count')?.value ?? 0;
    const sum = (m: typeof before): number => m.values.find((v) => v.metricName === 'approval_commit_batch_size_sum')?.value ?? 0;
    const outs = await Promise.all(reqs.map(async (r) => {
      const task = await app.db.db.selectFrom('approval_tasks').select('id').where('request_id', '=', r.id).executeTakeFirstOrThrow();
      return app.approvals.act('default', r.id, { type: 'approve', actor: 'lisi', taskId: task.id }, 'api');
    }));
    const after = await app.metrics.commitBatch.get();
    const batches = count(after) - count(before);
    console.log('24 concurrent approvals → %d group commits', batches);
    expect(outs.every((o) => o.ok)).toBe(true);
    expect(sum(after) - sum(before)).toBe(24);
    expect(batches).toBeLessThan(24);
    const erpJobs = await app.db.db.selectFrom('outbox_jobs').select('payload').where('kind', '=', 'erp.create').execute();
    const forThese = erpJobs.filter((j) => reqs.some((r) => (j.payload as { requestId: string }).requestId === r.id));
    expect(forThese).toHaveLength(24);
  });
});
