import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { appendAudit, verifyAuditChain } from '../../src/audit/audit-log.ts';
import { AuditKeys } from '../../src/audit/audit-keys.ts';
import { runCheckpoint } from '../../src/audit/checkpoint.ts';
import { fileSink } from '../../src/audit/checkpoint-sink.ts';
import type { AuditReport } from '../../src/audit/verify-audit.ts';
import { parseHmacKeys } from '../../src/config/audit-keys.ts';
import { systemClock } from '../../src/core/clock.ts';
import { adminToken } from '../support/admin-token.ts';
import { startApp, TEST_ENV } from '../support/start-app.ts';
import { submitDirect } from '../support/submit-request.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * Someone with write access to the database (not to the key, not to the export) tampers with the audit log in the
 * three ways that used to pass audit:verify: each chain is consistent again by its own hashes (the old rows-only check
 * still says ok, asserted below), and the signed heads and checkpoints catch it, naming the chain.
 */
let tdb: TestDb;
let app: App;
let dir: string;
let cpFile: string;
let auth: { authorization: string };
const keys = new AuditKeys(parseHmacKeys(TEST_ENV.AUDIT_HMAC_KEYS!));
const db = () => app.db.db;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-tamper-'));
  cpFile = join(dir, 'checkpoints.jsonl');
  tdb = await createTestDb();
  app = await startApp({ db: tdb.handle, noWorkers: true, env: { AUDIT_CHECKPOINT_FILE: cpFile } });
  auth = (await adminToken(app)).headers;
});
afterAll(async () => {
  await app.stop();
  await tdb.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function chainOf(type: string, id: string, n: number): Promise<string> {
  for (let i = 1; i <= n; i++) {
    await appendAudit(db(), { tenantId: 'default', at: new Date(Date.UTC(2026, 11, 1, 8, i)), actor: 'lisi', action: `${type}.noted`, source: 'system',
      subjectType: type, subjectId: id, after: { step: i } });
  }
  return `${type}:${id}`;
}

const checkpoint = () => runCheckpoint({ db: db(), keys, clock: systemClock, sink: fileSink(cpFile) });

async function verifyViaApi(): Promise<AuditReport> {
  const res = await app.http.request('/admin/api/audit/verify', { headers: auth });
  expect(res.status).toBe(200);
  return (await res.json()) as AuditReport;
}

const brokenChains = (r: AuditReport) => r.tenants.flatMap((t) => t.broken.map((b) => ({ chain: b.chain, reason: b.reason })));
const rowsOnlyOk = async () => (await verifyAuditChain(db())).every((r) => r.ok);

/** Rewrites rows from..to of a chain as the tamperer would: new content, hashes recomputed with the same formula. */
async function rehash(chain: string, fromSeq: number): Promise<void> {
  await sql`update audit_log set after = '{"step": 99}'::jsonb where chain = ${chain} and seq = ${fromSeq}`.execute(db());
  const rows = (await sql<{ seq: string; body: string; prev_hash: string }>`
    select seq, prev_hash, '' as body from audit_log where chain = ${chain} and seq >= ${fromSeq} order by seq`.execute(db())).rows;
  let prev = rows[0]!.prev_hash;
  for (const r of rows) {
    // The row hash is sha256(prev \n seq \n canonical body); recomputed in SQL from the row as it now is.
    const row = (await sql<{ hash: string }>`select encode(sha256(convert_to(${prev} || E'\n' || seq::text || E'\n' || ${await bodyOf(chain, Number(r.seq))}, 'UTF8')), 'hex') as hash
      from audit_log where chain = ${chain} and seq = ${r.seq}`.execute(db())).rows[0]!;
    await sql`update audit_log set prev_hash = ${prev}, hash = ${row.hash} where chain = ${chain} and seq = ${r.seq}`.execute(db());
    prev = row.hash;
  }
  await sql`update audit_heads set hash = ${prev} where chain = ${chain}`.execute(db());
}

/** The canonical body the chain hashes, for a row as stored (what audit-log.ts computes; a tamperer has the source too). */
async function bodyOf(chain: string, seq: number): Promise<string> {
  const { canonicalJson } = await import('../../src/audit/canonical-json.ts');
  const r = (await db().selectFrom('audit_log').selectAll().where('chain', '=', chain).where('seq', '=', seq).executeTakeFirstOrThrow());
  return canonicalJson({ tenant: r.tenant_id, chain: r.chain, at: r.at.toISOString(), actor: r.actor, action: r.action, source: r.source,
    subjectType: r.subject_type, subjectId: r.subject_id, before: r.before ?? null, after: r.after ?? null, meta: r.meta ?? null });
}

describe('audit:verify against database writes', () => {
  it('an untouched log verifies: rows, signed heads and checkpoints', async () => {
    await submitDirect(app, 'expense_claim', 'zhangsan', { category: 'meal', amount: '88.00', date: '2026-11-20' });
    await chainOf('finding', 'cut', 5);
    await chainOf('finding', 'rewritten', 4);
    await chainOf('finding', 'erased', 3);
    const run = await checkpoint();
    expect(run.signed).toBeGreaterThanOrEqual(4);
    expect(run.delivered).toBe(1);
    const report = await verifyViaApi();
    expect(brokenChains(report)).toEqual([]);
    expect(report).toMatchObject({ ok: true, heads: { checked: true }, checkpoints: { source: cpFile, checked: true, lines: 1, problems: [] } });
  });

  it('(1) a tail cut with the head moved back', async () => {
    await sql`delete from audit_log where chain = 'finding:cut' and seq > 3`.execute(db());
    await sql`update audit_heads set seq = 3, hash = (select hash from audit_log where chain = 'finding:cut' and seq = 3) where chain = 'finding:cut'`.execute(db());
    expect(await rowsOnlyOk()).toBe(true); // what audit:verify checked before: consistent by its own hashes
    const report = await verifyViaApi();
    expect(report.ok).toBe(false);
    expect(brokenChains(report)).toContainEqual({ chain: 'finding:cut', reason: 'the chain was cut back: its head is at seq 3, it was signed at seq 5' });
    expect(brokenChains(report)).toContainEqual({ chain: 'finding:cut', reason: 'the chain was cut back: its head is at seq 3, checkpointed at seq 5' });
    // Re-signing the head needs the key: a forged MAC row is refused.
    await sql`update audit_head_macs set seq = 3, hash = (select hash from audit_heads where chain = 'finding:cut') where chain = 'finding:cut'`.execute(db());
    expect(brokenChains(await verifyViaApi())).toContainEqual({ chain: 'finding:cut', reason: 'the signed head does not match its MAC (its seq or hash was changed)' });
  });

  it('(2) a row rewritten and every hash after it recomputed', async () => {
    await rehash('finding:rewritten', 2);
    expect((await verifyAuditChain(db())).flatMap((r) => r.broken).some((b) => b.chain === 'finding:rewritten')).toBe(false);
    const report = await verifyViaApi();
    expect(brokenChains(report)).toContainEqual({ chain: 'finding:rewritten', reason: 'row 4 differs from the signed head (rewritten, hashes recomputed)' });
    expect(brokenChains(report)).toContainEqual({ chain: 'finding:rewritten', reason: 'row 4 differs from the checkpoint (rewritten, hashes recomputed)' });
  });

  it('(3) a whole non-request chain deleted, its signature too', async () => {
    for (const t of ['audit_log', 'audit_heads', 'audit_head_macs']) await sql`delete from ${sql.table(t)} where chain = 'finding:erased'`.execute(db());
    expect((await verifyAuditChain(db())).flatMap((r) => r.broken).some((b) => b.chain === 'finding:erased')).toBe(false);
    const report = await verifyViaApi();
    expect(brokenChains(report)).toContainEqual({ chain: 'finding:erased', reason: 'the chain was deleted (checkpointed at seq 3)' });
  });

  it('npm run audit:verify names each chain and its problem and exits 1', async (ctx) => {
    if (!tdb.url) { ctx.skip('the CLI opens the database itself: needs PostgreSQL (DATABASE_URL); PGlite here lives inside this process'); return; }
    const env = { ...process.env, ...TEST_ENV, DATABASE_URL: tdb.url, AUDIT_CHECKPOINT_FILE: cpFile };
    const run = await promisify(execFile)('npx', ['tsx', 'src/cli/audit-verify.ts'], { env }).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('chain finding:cut (seq 5): the chain was cut back');
    expect(run.stderr).toContain('chain finding:rewritten (seq 4): row 4 differs');
    expect(run.stderr).toContain('chain finding:erased (seq 3): the chain was deleted');
  });
});
