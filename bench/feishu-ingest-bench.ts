import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { stringify } from 'yaml';
import { createApp } from '../src/app/create-app.ts';
import { loadConfig } from '../src/config/env.ts';
import { createDb, type DbHandle } from '../src/db/create-db.ts';
import { buildSignedWebhook, startFakeFeishuServer } from '../test/fakes/feishu-server.ts';
import { loadFromChild } from './child-load.ts';

/**
 * Feishu webhook ingest on a listening server: encrypted + signed `im.message.receive_v1` events (distinct event
 * ids) POSTed with 32 in flight for ~3 s by a load generator in its own process; each ack (verify → decrypt →
 * normalize → one inbox insert → 200) is timed.
 * The baseline is GET /healthz on the same server, same concurrency, same run. Workers are stopped so the numbers
 * are the receiver's alone (the inbox keeps the events for later).
 */
const CONCURRENCY = 32;
const INGEST_MS = 3000;
const HEALTHZ_MS = 2000;
const SENDERS = 50;
/** Events built ahead of the run (enough for 5,000/s over INGEST_MS); the run stops early if they run out. */
const MAX_EVENTS = 15_000;
const SECRETS: Record<string, string> = { FS_APP_ID: 'cli_a1b2c3d4e5f60718', FS_APP_SECRET: 'bench-secret', FS_ENCRYPT_KEY: 'bench-encrypt-key', FS_VERIFICATION_TOKEN: 'bench-token' };

async function admin(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { await c.query(text); } finally { await c.end(); }
}

/** A fresh database on the server (dropped afterwards), or an in-memory PGlite when no server is given. */
async function freshDb(serverUrl: string | undefined): Promise<{ handle: DbHandle; drop: () => Promise<void> }> {
  if (!serverUrl) {
    const handle = await createDb({});
    return { handle, drop: () => handle.close() };
  }
  const name = `aa_fsbench_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await createDb({ databaseUrl: url.toString(), poolSize: 20 });
  return { handle, drop: async () => { await handle.close(); await admin(serverUrl, `drop database if exists ${name} with (force)`); } };
}

function envelope(i: number): unknown {
  const sender = `ou_bench_${i % SENDERS}`;
  return {
    schema: '2.0',
    header: { event_id: `bench-${i}-${randomBytes(6).toString('hex')}`, event_type: 'im.message.receive_v1', create_time: String(Date.now()), token: SECRETS['FS_VERIFICATION_TOKEN'], app_id: SECRETS['FS_APP_ID'], tenant_key: 'bench' },
    event: {
      sender: { sender_id: { open_id: sender, union_id: `on_bench_${i % SENDERS}` }, sender_type: 'user', tenant_key: 'bench' },
      message: { message_id: `om_bench_${i}`, create_time: String(Date.now()), chat_id: `oc_${sender}`, chat_type: 'p2p', message_type: 'text', content: JSON.stringify({ text: `帮我报销差旅费 ${i} 元` }) },
    },
  };
}

export async function benchFeishuIngest(databaseUrl: string | undefined): Promise<{ feishu_ingest_acks_per_s: number; feishu_ingest_p50_ms: number; feishu_ingest_p99_ms: number; healthz_per_s: number; healthz_p99_ms: number }> {
  const fake = await startFakeFeishuServer();
  const db = await freshDb(databaseUrl);
  const botsDir = mkdtempSync(join(tmpdir(), 'aa-bench-bots-'));
  writeFileSync(join(botsDir, 'feishu.yaml'), stringify({
    id: 'feishu-bench', platform: 'feishu', transport: 'webhook', domain: fake.url, directory_sync_minutes: 0,
    credentials: { app_id: 'FS_APP_ID', app_secret: 'FS_APP_SECRET', encrypt_key: 'FS_ENCRYPT_KEY', verification_token: 'FS_VERIFICATION_TOKEN' },
  }));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', BOTS_DIR: botsDir, DATABASE_POOL_SIZE: '20', ERP_POLL_MS: '3600000', SLA_CHECK_MS: '3600000' });
  const app = await createApp({ config, db: db.handle, secrets: (n) => SECRETS[n] });
  try {
    const port = await app.listen();
    await Promise.all([app.inbox.stop(), app.outbox.stop()]);
    const base = `http://127.0.0.1:${port}`;
    const encryptKey = SECRETS['FS_ENCRYPT_KEY'] ?? '';
    const build = (n: number) => Array.from({ length: n }, (_, i) => buildSignedWebhook(envelope(i), { encryptKey, timestampSec: Math.floor(Date.now() / 1000) }));
    const url = `${base}/webhooks/feishu/feishu-bench`;
    const plan = (n: number, ms: number) => ({ url, concurrency: CONCURRENCY, ms, requests: build(n).map((r) => ({ body: r.body, headers: r.headers })) });
    await loadFromChild(plan(2000, 500)); // warm-up: JIT, pool connections
    // Requests are built before the clock starts; the load client exits non-zero if one is not acked with 200.
    const acked = await loadFromChild(plan(MAX_EVENTS, INGEST_MS));
    const stored = await app.db.db.selectFrom('inbox_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(stored.n) < acked.n) throw new Error(`acked ${acked.n} events but the inbox holds ${stored.n}`);
    const healthz = await loadFromChild({ url: `${base}/healthz`, concurrency: CONCURRENCY, ms: HEALTHZ_MS });
    return {
      feishu_ingest_acks_per_s: acked.per_s, feishu_ingest_p50_ms: acked.p50_ms, feishu_ingest_p99_ms: acked.p99_ms,
      healthz_per_s: healthz.per_s, healthz_p99_ms: healthz.p99_ms,
    };
  } finally {
    await app.stop();
    await db.drop();
    await fake.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = loadConfig().databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  benchFeishuIngest(server).then((r) => { process.stdout.write(`${JSON.stringify(r)}\n`); process.exit(0); })
    .catch((e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exit(1); });
}
