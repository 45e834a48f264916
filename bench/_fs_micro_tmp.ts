import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb } from '../src/db/create-db.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { insertEvent } from '../src/inbox/inbox-repo.ts';
import { InboxBatcher } from '../src/inbox/inbox-batcher.ts';
const server = 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `aa_dbb_${randomBytes(3).toString('hex')}`;
const c = new pg.Client({ connectionString: server }); await c.connect(); await c.query(`create database ${name}`);
const h = await createDb({ databaseUrl: server.replace(/\/postgres$/, `/${name}`), poolSize: 20 });
await migrateToLatest(h.db);
const b = new InboxBatcher(h.db);
let n = 0;
const ev = (i: number) => ({ kind: 'message' as const, source: 'feishu:b', eventId: `e${i}`, platform: 'feishu' as const, botId: 'b', tenantId: 'default', sender: { platform: 'feishu' as const, botId: 'b', externalId: `ou_${i % 50}` }, receivedAt: new Date(), chat: { platform: 'feishu' as const, botId: 'b', chatId: 'oc' }, chatType: 'p2p' as const, text: 'hello world 帮我报销 '.repeat(5) });
for (const mode of ['single', 'batch', 'single', 'batch']) {
  const lat: number[] = []; let count = 0; const cpu0 = process.cpuUsage();
  const until = performance.now() + 2000;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (performance.now() < until) {
      const i = n++; const t = performance.now();
      if (mode === 'single') await insertEvent(h.db, ev(i), 'pending'); else await b.insert(ev(i));
      lat.push(performance.now() - t); count++;
    }
  }));
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b2) => a - b2);
  console.log(mode, { per_s: Math.round(count / 2), p50: lat[Math.floor(lat.length / 2)]?.toFixed(1), p99: lat[Math.floor(lat.length * 0.99)]?.toFixed(1), cpu_ms_per: ((cpu.user + cpu.system) / 1000 / count).toFixed(3) });
}
await h.close(); await c.query(`drop database ${name} with (force)`); await c.end();
