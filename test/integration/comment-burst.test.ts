import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { buttonsOf, ConsoleClient, type FeedItem } from '../support/console-client.ts';
import { DEMO_USERS, writeDirectoryFile } from '../support/directory-fixture.ts';
import { startApp } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * A requester's comment burst beside the approvals of a 会签 (all-of) step: every click goes through. Comments used
 * to be written through the request's optimistic version, so every comment and every approval raced for the same row
 * and lost clicks ran out of retries (409 workflow.contended: 30 of these 40 comments, before the fix). Six reviewers:
 * the approvals still race each other, as before, within the retries a step of this size needs.
 */
const REVIEWERS = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
const COMMENTS = 40;
const DESIGN_REVIEW = `key: design_review
kind: form
prefix: DRV
name: { zh: 设计评审, en: Design review }
description: { zh: 设计方案的会签评审。, en: A design every reviewer signs off. }
examples: { zh: ["提交设计评审"], en: ["submit a design review"] }
fields:
  - name: title
    type: text
    label: { zh: 标题, en: Title }
    required: true
route:
  steps:
    - name: { zh: 评审会签, en: Reviewers sign off }
      approvers: { rule: role, role: reviewer }
      mode: all
`;

let tdb: TestDb;
let app: App;
let cc: ConsoleClient;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'intents-'));
  for (const f of readdirSync('intents').filter((n) => n.endsWith('.yaml'))) copyFileSync(join('intents', f), join(dir, f));
  writeFileSync(join(dir, 'design_review.yaml'), DESIGN_REVIEW);
  const reviewers = REVIEWERS.map((id, i) => ({ id, name: `评审${i + 1}`, department: 'sales', manager: 'lisi', roles: ['employee', 'reviewer'] }));
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, clock: fixedClock(new Date('2026-12-06T02:00:00Z')), env: { INTENTS_DIR: dir, DIRECTORY_FILE: writeDirectoryFile([...DEMO_USERS, ...reviewers]) } });
  cc = new ConsoleClient(app);
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
  rmSync(dir, { recursive: true, force: true });
});

const hasButton = (id: string) => (m: FeedItem): boolean => m.kind === 'card' && buttonsOf(m.card).some((b) => b.actionId === id);

describe('comments never contend with decisions', () => {
  it(`${COMMENTS} comments in parallel with ${REVIEWERS.length} approvals (and a double click): every approval lands, every comment is kept`, async () => {
    const req = await submitDirect(app, 'design_review', 'zhangsan', { title: '新版报销流程' });
    const onRequest = (m: FeedItem): boolean => (m.card?.title ?? '').includes(req.number);
    const cards = await Promise.all(REVIEWERS.map((r) => cc.waitFor(r, (m) => hasButton('approve')(m) && onRequest(m))));
    const mine = await cc.waitFor('zhangsan', (m) => hasButton('comment')(m) && onRequest(m));
    // Every click goes to the card as the person saw it, all at once: nothing waits for another's answer.
    const approvals = cards.map((c, i) => cc.click(REVIEWERS[i]!, c.id, 'approve', {}, `approve-${i}`));
    const doubleClick = cc.click('r1', cards[0]!.id, 'approve', {}, 'approve-0');
    const comments = Array.from({ length: COMMENTS }, (_, i) => cc.click('zhangsan', mine.id, 'comment', { comment: `补充说明 ${i + 1}` }, `comment-${i}`));
    const [approved, again, commented] = await Promise.all([Promise.all(approvals), doubleClick, Promise.all(comments)]);

    // r1's two deliveries of one click: one is the approval, the other is told it was already handled.
    const r1 = [approved[0]!, again].map((r) => `${r.status} ${r.body.error?.code ?? ''}`.trim()).sort();
    expect(r1).toEqual(['200', '409 workflow.already_handled']);
    expect(approved.slice(1).map((r) => [r.status, r.body.error?.code ?? null])).toEqual(REVIEWERS.slice(1).map(() => [200, null]));
    expect(commented.filter((r) => r.status !== 200).map((r) => r.body.error?.code)).toEqual([]);

    const row = await app.db.db.selectFrom('requests').select(['status', 'version']).where('id', '=', req.id).executeTakeFirstOrThrow();
    // The version moved once per approval and never for a comment.
    expect(row).toEqual({ status: 'approved', version: req.version + REVIEWERS.length });
    const trail = await app.db.db.selectFrom('audit_log').select(['action', 'after']).where('chain', '=', `request:${req.id}`).orderBy('seq').execute();
    expect(trail.filter((a) => a.action === 'request.approve')).toHaveLength(REVIEWERS.length);
    const texts = trail.filter((a) => a.action === 'request.comment').map((a) => (a.after as { event: { text: string } }).event.text);
    expect(texts.sort()).toEqual(Array.from({ length: COMMENTS }, (_, i) => `补充说明 ${i + 1}`).sort());
    // Each comment reaches every reviewer once: its own notification, not folded into another by a shared key.
    const notes = await app.db.db.selectFrom('outbox_jobs').select('idempotency_key').where('kind', '=', 'message.send')
      .where('idempotency_key', 'like', `notify:${req.id}:comment:%`).execute();
    expect(notes).toHaveLength(COMMENTS * REVIEWERS.length);
  });
});
