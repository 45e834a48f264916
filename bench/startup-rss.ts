import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

/**
 * Start time and idle memory of the service as a user starts it: `npm start` in the repository (its prestart build
 * included), on the embedded database (a fresh data dir, then a restart on it) and on PostgreSQL (a fresh database,
 * then a restart). Start time is from the spawn until GET /healthz answers (the listener opens after migrations, the
 * directory import and the workers' start). Idle RSS is summed over the service's process tree (node and anything
 * it spawned, e.g. an esbuild service under tsx), the highest of a few samples taken IDLE_MS after /healthz
 * answered: V8 gives memory back some 20 s after start-up, when allocation has slowed down. `idle_rss_mb_with_npm`
 * adds npm's own process, which `npm start` keeps waiting beside the service. Linux only (reads /proc).
 */
const IDLE_MS = 30_000;
const SAMPLES = 5;
const SAMPLE_GAP_MS = 200;
const START_TIMEOUT_MS = 120_000;

export interface StartSample { start_ms: number; idle_rss_mb: number; idle_rss_mb_with_npm: number; processes: { pid: number; cmd: string; rss_mb: number }[] }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number): number => Math.round(kb / 1024);

/** pid → parent pid for every process we may read. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: the parent pid is the 2nd field after its last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(d), ppid);
    } catch { /* gone meanwhile */ }
  }
  return out;
}

/** The process tree under `root` (root included) with each process's RSS in kB. */
function tree(root: number): { pid: number; cmd: string; rssKb: number }[] {
  const pp = parents();
  const pids = [root];
  for (let i = 0; i < pids.length; i++) for (const [pid, ppid] of pp) if (ppid === pids[i]) pids.push(pid);
  const out: { pid: number; cmd: string; rssKb: number }[] = [];
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 120);
      out.push({ pid, cmd, rssKb });
    } catch { /* exited */ }
  }
  return out;
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** The port from the service's "listening" log line (it is started on PORT=0). */
function portFrom(child: ChildProcess): Promise<number> {
  return new Promise<number>((res, rej) => {
    let buf = '';
    let err = '';
    const timer = setTimeout(() => rej(new Error(`no "listening" line within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /"port":(\d+)[^\n]*listening on/.exec(buf);
      if (m) { clearTimeout(timer); res(Number(m[1])); }
    });
    child.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('exit', (code) => { clearTimeout(timer); rej(new Error(`service exited ${code} before listening: ${err.slice(-500)}`)); });
  });
}

/** One start of `npm start` in `cwd` with `env` added; stopped with SIGTERM after the idle sample. */
export async function measureStart(cwd: string, env: Record<string, string | undefined>): Promise<StartSample> {
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--silent'], { cwd, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  try {
    const port = await portFrom(child);
    while (!(await healthy(port))) await sleep(10);
    const startMs = Math.round(performance.now() - t0);
    await sleep(IDLE_MS);
    let best = tree(child.pid!);
    const total = (t: typeof best): number => t.reduce((s, p) => s + p.rssKb, 0);
    for (let i = 1; i < SAMPLES; i++) {
      await sleep(SAMPLE_GAP_MS);
      const t = tree(child.pid!);
      if (total(t) > total(best)) best = t;
    }
    const service = best.filter((p) => p.pid !== child.pid);
    return { start_ms: startMs, idle_rss_mb: mb(total(service)), idle_rss_mb_with_npm: mb(total(best)), processes: best.map((p) => ({ pid: p.pid, cmd: p.cmd, rss_mb: mb(p.rssKb) })) };
  } finally {
    // The whole group: npm forwards the signal, and the service shuts down gracefully.
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
    await Promise.race([exited, sleep(15_000)]);
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
  }
}

async function admin(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { await c.query(text); } finally { await c.end(); }
}

const pick = (s: StartSample, verbose: boolean) => ({
  start_ms: s.start_ms, idle_rss_mb: s.idle_rss_mb, idle_rss_mb_with_npm: s.idle_rss_mb_with_npm, ...(verbose ? { processes: s.processes } : {}),
});

/**
 * The bench's fields: `startup_embedded_first` (fresh data dir: initdb + migrations), `startup_embedded_restart`,
 * `startup_pg_first` (fresh database: migrations) and `startup_pg_restart`, each { start_ms, idle_rss_mb,
 * idle_rss_mb_with_npm } (and the processes of the tree when verbose). `cwd` is the checkout to start.
 */
export async function benchStartup(serverUrl: string, cwd = resolve(import.meta.dirname, '..'), verbose = false): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aa-bench-data-'));
  const out: Record<string, unknown> = {};
  try {
    out['startup_embedded_first'] = pick(await measureStart(cwd, { DATA_DIR: dataDir, DATABASE_URL: undefined }), verbose);
    out['startup_embedded_restart'] = pick(await measureStart(cwd, { DATA_DIR: dataDir, DATABASE_URL: undefined }), verbose);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const name = `aa_startbench_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `create database ${name}`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    out['startup_pg_first'] = pick(await measureStart(cwd, { DATABASE_URL: url.toString() }), verbose);
    out['startup_pg_restart'] = pick(await measureStart(cwd, { DATABASE_URL: url.toString() }), verbose);
  } finally {
    await admin(serverUrl, `drop database if exists ${name} with (force)`);
  }
  return out;
}

// `tsx bench/startup-rss.ts [checkout] [--verbose]`: this part alone (on another checkout, say, to compare).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const server = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const cwd = resolve(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? '.');
  console.log(JSON.stringify(await benchStartup(server, cwd, process.argv.includes('--verbose')), null, process.argv.includes('--verbose') ? 1 : 0));
}
