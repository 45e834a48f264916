import { CompiledQuery, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { adminRoutes } from '../../src/admin/admin-routes.ts';
import { adminGuard } from '../../src/identity/admin-guard.ts';
import { createServiceToken } from '../../src/identity/service-tokens.ts';
import { loadConfig } from '../../src/config/env.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { Database } from '../../src/db/database.ts';
import { SandboxErpConnector } from '../../src/erp/connectors/sandbox.ts';
import { runRetention } from '../../src/scheduler/retention.ts';
import { spyOn, type SpiedQuery } from '../support/sql-spy.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * The purges, the sandbox change feed and the admin request list reach their rows through indexes, whatever the
 * table sizes: tables are filled with a realistic mix (most rows live, a few past retention), analyzed, and the
 * statements the code actually runs are explained (PGlite and PostgreSQL plan alike).
 */
const DAY = 24 * 3600_000;
const T = new Date('2031-03-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T.getTime() + ms);
const N = 6000;

/** Tables small by construction (one row per user, limiter key or held conversation): their purges scan them. */
const SCANNED = new Set(['dialog_sessions', 'rate_limits', 'conversation_leases']);

let tdb: TestDb;
let db: Kysely<Database>;

async function explain(q: SpiedQuery): Promise<string> {
  const r = await db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
  return r.rows.map((x) => x['QUERY PLAN']).join('\n');
}

const seqScans = (plan: string): string[] => [...plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1] ?? '');

beforeAll(async () => {
  tdb = await createTestDb();
  db = tdb.handle.db;
  const old = at(-100 * DAY);
  const recent = at(-3600_000);
  await sql`insert into inbox_events (tenant_id, source, event_id, kind, conversation_key, payload, status, received_at, processed_at)
    select 'default', 'plan', 'e' || g, 'message', 'k' || (g % 50), '{}'::jsonb,
      case when g % 500 = 0 then 'failed' when g % 97 = 0 then 'pending' else 'done' end,
      case when g % 100 = 0 then ${old}::timestamptz else ${recent}::timestamptz end,
      case when g % 97 = 0 or g % 500 = 0 then null when g % 100 = 0 then ${old}::timestamptz else ${recent}::timestamptz end
    from generate_series(1, ${N}) g`.execute(db);
  await sql`insert into outbox_jobs (tenant_id, kind, payload, idempotency_key, status, max_attempts, done_at, updated_at)
    select 'default', 'test.noop', '{}'::jsonb, 'j' || g, case when g % 300 = 0 then 'dead' when g % 97 = 0 then 'pending' else 'done' end, 3,
      case when g % 97 = 0 or g % 300 = 0 then null when g % 100 = 0 then ${old}::timestamptz else ${recent}::timestamptz end,
      case when g % 100 = 0 then ${old}::timestamptz else ${recent}::timestamptz end
    from generate_series(1, ${N}) g`.execute(db);
  await sql`insert into console_messages (id, seq, tenant_id, bot_id, user_id, kind, text, idempotency_key, created_at, updated_at)
    select gen_random_uuid(), nextval('console_message_seq'), 'default', 'console', 'u' || (g % 40), 'text', 'hi', 'c' || g,
      case when g % 100 = 0 then ${old}::timestamptz else ${recent}::timestamptz end, case when g % 100 = 0 then ${old}::timestamptz else ${recent}::timestamptz end
    from generate_series(1, ${N}) g`.execute(db);
  await sql`insert into card_messages (id, tenant_id, subject, user_id, platform, bot_id, target, ref, created_at, updated_at)
    select gen_random_uuid(), 'default', case when g % 100 = 0 then 'help:e' || g else 'request:' || gen_random_uuid() || ':approver:lisi' end, 'lisi',
      'console', 'console', '{}'::jsonb, jsonb_build_object('messageId', 'm' || g),
      case when g % 100 = 0 then ${old}::timestamptz else ${recent}::timestamptz end, case when g % 100 = 0 then ${old}::timestamptz else ${recent}::timestamptz end
    from generate_series(1, ${N}) g`.execute(db);
  // Business audit rows (request chains) and a bot chain of refusals: hashes are not checked here.
  await sql`insert into audit_log (tenant_id, chain, seq, at, actor, action, source, subject_type, subject_id, prev_hash, hash)
    select 'default', 'request:r' || (g / 10), g % 10 + 1, ${recent}::timestamptz, 'lisi', 'request.approved', 'card', 'request', 'r' || (g / 10), 'x', 'y'
    from generate_series(1, ${N}) g`.execute(db);
  await sql`insert into audit_log (tenant_id, chain, seq, at, actor, action, source, subject_type, subject_id, prev_hash, hash)
    select 'default', 'bot:b1', g, ${old}::timestamptz, 'feishu:unauthenticated', 'inbound.rejected', 'api', 'bot', 'b1', 'x', 'h' || g
    from generate_series(1, 40) g`.execute(db);
  await sql`insert into audit_heads (tenant_id, chain, seq, hash) values ('default', 'bot:b1', 40, 'h40')`.execute(db);
  await sql`insert into audit_heads (tenant_id, chain, seq, hash) select distinct 'default', chain, 10, 'y' from audit_log where chain like 'request:%'`.execute(db);
  await sql`insert into sandbox_erp_documents (tenant_id, number, doc_kind, external_key, payload, amount, status, modified_at)
    select case when g % 2 = 0 then 'default' else 'other' end, 'D' || g, 'expense', 'x' || g, '{}'::jsonb, 10, 'draft',
      ${T}::timestamptz - (g || ' seconds')::interval
    from generate_series(1, ${N}) g`.execute(db);
  await sql`insert into requests (id, tenant_id, number, intent_key, intent_version, requester_id, status, fields, route, origin, created_at, updated_at, submitted_at)
    select gen_random_uuid(), case when g % 3 = 0 then 'default' else 't' || (g % 7) end, 'R' || g, 'expense_claim', 1, 'u' || (g % 90), 'pending',
      '{}'::jsonb, '[]'::jsonb, '{}'::jsonb, ${T}::timestamptz - (g || ' minutes')::interval, ${T}::timestamptz, ${T}::timestamptz
    from generate_series(1, ${N}) g`.execute(db);
  await sql`insert into erp_push_events (instance, event_id, tenant_id, received_at)
    select 'erp-' || (g % 3), 'e' || g, 'default', ${T}::timestamptz - (g || ' minutes')::interval from generate_series(1, ${N}) g`.execute(db);
  // Refusal counters (one per tenant, source, reason and minute) and failed-auth windows, a few past retention.
  await sql`insert into refusal_counts (tenant_id, source, reason, minute, count, summarized)
    select 'default', '10.0.' || (g % 200) || '.1', 'auth.required', ${T}::timestamptz - ((case when g % 100 = 0 then 200000 else g end) || ' minutes')::interval, 3, g % 7 <> 0
    from generate_series(1, ${N}) g on conflict do nothing`.execute(db);
  await sql`insert into auth_failures (source, window_start, failures, last_reason)
    select '10.1.' || (g % 250) || '.' || (g % 97), ${T}::timestamptz - ((case when g % 100 = 0 then 4000 else g % 90 end) || ' minutes')::interval, 1, 'auth.required'
    from generate_series(1, ${N}) g on conflict do nothing`.execute(db);
  await sql`analyze`.execute(db);
}, 120_000);

afterAll(async () => {
  await tdb.drop();
});

describe('retention, change feed and admin list plans', () => {
  it('every purge statement reaches its rows through an index (tables of one row per user, key or conversation aside)', async () => {
    const spy = spyOn(db);
    const cfg = loadConfig({ DATABASE_URL: '' }).retention;
    const rs = await runRetention(spy.db, fixedClock(T), cfg, { batchSize: 1000 });
    expect(rs.find((r) => r.name === 'inbox_events.done')?.deleted).toBeGreaterThan(0);
    expect(rs.find((r) => r.name === 'audit_log.refusals')?.deleted).toBe(40);
    // Explained after the run: plans come from the statistics taken before it (a purge of 1 % does not change them).
    const statements = spy.queries.filter((q) => /^(delete|select|update)/i.test(q.sql.trim()));
    expect(statements.length).toBeGreaterThan(10);
    const scans: string[] = [];
    for (const q of statements) {
      const bad = seqScans(await explain(q)).filter((t) => !SCANNED.has(t));
      if (bad.length) scans.push(`${bad.join(',')}: ${q.sql.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
    expect(scans).toEqual([]);
  });

  it('the sandbox change feed pages by its (tenant_id, modified_at, id) index, without sorting', async () => {
    const spy = spyOn(db);
    const feed = new SandboxErpConnector('sandbox', spy.db, 'default', fixedClock(T));
    const first = await feed.listChanges(null, { limit: 50 });
    const next = await feed.listChanges(first.nextCursor, { limit: 50 });
    expect(next.changes.length).toBe(50);
    const reads = spy.queries.filter((q) => q.sql.includes('"sandbox_erp_documents"'));
    expect(reads.length).toBe(2);
    for (const q of reads) {
      const plan = await explain(q);
      expect(plan).toContain('sandbox_erp_documents_feed');
      expect(plan).not.toMatch(/Sort|Seq Scan/);
    }
  });

  it("the admin list takes a tenant's latest requests through (tenant_id, created_at), without sorting", async () => {
    const spy = spyOn(db);
    // Behind the real guard, as a service token of the tenant (the route takes the tenant from its caller).
    const clock = fixedClock(T);
    const { token } = await createServiceToken(db, { tenantId: 'default', name: 'plans', scopes: ['admin:read'] }, clock);
    const api = new Hono();
    api.use('*', adminGuard({ db, clock, notConfigured: () => null, onRefused: async () => undefined }));
    api.route('/admin', adminRoutes(spy.db, () => undefined));
    const res = await api.request('/admin/api/requests?tenant=default', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { requests: unknown[] }).requests.length).toBe(200);
    const [q] = spy.queries.filter((x) => x.sql.includes('from "requests"'));
    expect(q).toBeDefined();
    const plan = await explain(q as SpiedQuery);
    expect(plan).toContain('requests_tenant_created');
    expect(plan).not.toMatch(/Sort|Seq Scan/);
  });
});
