import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What bench/load-client.ts sends; see there. */
export interface LoadPlan {
  url: string;
  concurrency: number;
  /** POST bodies with their headers, sent once each in order; without them, GETs. */
  requests?: { body: string; headers?: Record<string, string> }[];
  /** Stop after this long (GET runs need it; POST runs also stop when the requests run out). */
  ms?: number;
}

export interface LoadSummary { per_s: number; p50_ms: number; p99_ms: number; n: number }

/** Runs the load generator in its own process, so its CPU is not charged to the server under test. */
export function loadFromChild(plan: LoadPlan): Promise<LoadSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-load-'));
  const file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  return new Promise<LoadSummary>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'load-client.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (code === 0) resolve(JSON.parse(out) as LoadSummary);
      else reject(new Error(`load client exited ${code}`));
    });
  });
}
