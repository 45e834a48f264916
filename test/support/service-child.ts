import { spawn, type ChildProcess } from 'node:child_process';

/** The service (src/main.ts) in a child process, so a crash shows as an exit the test can see. */
export interface ServiceChild {
  proc: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Settles when it exits: its code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** Resolves with the port from its "listening" log line; rejects if it exits first. */
  port: Promise<number>;
  /** SIGTERM, then SIGKILL after `graceMs` if it is still there. */
  stop(graceMs?: number): Promise<void>;
}

const LISTEN_TIMEOUT_MS = 30_000;

/** Starts `node --import tsx src/main.ts` with this process's environment plus `env` ('' unsets a variable for the service). */
export function startServiceChild(env: Record<string, string>): ServiceChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exitedYet = false;
  // A test that times out leaves its finally blocks unrun: don't leave the service behind with the test process.
  const orphanGuard = (): void => { if (!exitedYet) proc.kill('SIGKILL'); };
  process.once('exit', orphanGuard);
  proc.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  proc.stderr?.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => { exitedYet = true; process.removeListener('exit', orphanGuard); resolve({ code, signal }); });
  });
  // The "listening" line is logged at info level: LOG_LEVEL must be info or lower.
  const port = new Promise<number>((resolve, reject) => {
    const started = Date.now();
    const t = setInterval(() => {
      const m = /"port":(\d+)/.exec(out);
      if (m) { clearInterval(t); resolve(Number(m[1])); }
      else if (Date.now() - started > LISTEN_TIMEOUT_MS) { clearInterval(t); reject(new Error(`the service did not log its port within ${LISTEN_TIMEOUT_MS} ms:\n${out}`)); }
    }, 20);
    void exited.then((x) => { clearInterval(t); reject(new Error(`the service exited (${x.code ?? x.signal}) before listening:\n${out}`)); });
  });
  port.catch(() => undefined);
  return {
    proc, exited, port, output: () => out, hasExited: () => exitedYet,
    async stop(graceMs = 10_000) {
      if (exitedYet) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
