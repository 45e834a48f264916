import { loadConfig } from '../src/config/env.ts';
import { benchApprovals } from './approval-bench.ts';
import { benchErp } from './erp-bench.ts';
import { benchFeishuIngest } from './feishu-ingest-bench.ts';
import { benchResolver } from './resolver-bench.ts';
import { benchStartup } from './startup-rss.ts';

/**
 * `npm run bench`: prints one JSON object. Needs PostgreSQL: DATABASE_URL, or the local server on
 * 127.0.0.1:5432 (each part creates and drops its own database). Baselines are measured in the same run.
 * Last, `npm start` itself: start time and idle memory on the embedded database and on PostgreSQL (startup-rss.ts).
 */
const server = loadConfig().databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const out: Record<string, unknown> = { node: process.version, cpus: (await import('node:os')).cpus().length };
Object.assign(out, await benchResolver());
Object.assign(out, await benchApprovals(server));
// Next to the clicks: ERP documents created per second (a real Tryton when installed, the sandbox) and the poll's cost.
Object.assign(out, await benchErp(server));
Object.assign(out, await benchFeishuIngest(server));
Object.assign(out, await benchStartup(server));
console.log(JSON.stringify(out));
process.exit(0);
