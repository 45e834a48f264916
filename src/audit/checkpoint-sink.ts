import { open, readFile, stat } from 'node:fs/promises';

/** Where checkpoint lines go: appended to a file, or POSTed to an endpoint. */
export interface CheckpointSink {
  /** The highest seq the sink already holds, when it can tell (a file can; an endpoint cannot: null). */
  lastSeq(): Promise<number | null>;
  /** Delivers lines in order; throws on the first one not taken (the rest wait for the next run). */
  deliver(lines: { seq: number; line: string }[]): Promise<void>;
  describe: string;
}

/**
 * A JSON-lines file opened for appending ('a': every write lands at the end, whatever else holds the file) and
 * fsynced before the lines count as delivered. Put it where this service may append but not rewrite (chattr +a, a
 * WORM mount, a log shipper's spool).
 */
export function fileSink(path: string): CheckpointSink {
  return {
    describe: path,
    async lastSeq() {
      const last = await lastLineOf(path);
      if (last === null) return 0;
      const seq = (JSON.parse(last) as { seq?: unknown }).seq;
      return typeof seq === 'number' ? seq : 0;
    },
    async deliver(lines) {
      if (lines.length === 0) return;
      const fh = await open(path, 'a', 0o600);
      try {
        await fh.write(lines.map((l) => `${l.line}\n`).join(''));
        await fh.sync();
      } finally {
        await fh.close();
      }
    },
  };
}

/** How long one POST may take; a slow collector delays the next run, not the service. */
const POST_TIMEOUT_MS = 10_000;

/** An HTTP collector: one POST per line (application/json); any 2xx takes it, anything else is retried next run. */
export function urlSink(url: string, fetchFn: typeof fetch): CheckpointSink {
  return {
    describe: new URL(url).origin,
    lastSeq: async () => null,
    async deliver(lines) {
      for (const l of lines) {
        const res = await fetchFn(url, {
          method: 'POST', body: l.line, signal: AbortSignal.timeout(POST_TIMEOUT_MS),
          headers: { 'content-type': 'application/json', 'x-audit-checkpoint-seq': String(l.seq) },
        });
        await res.body?.cancel();
        if (!res.ok) throw new Error(`checkpoint collector answered ${res.status} to line ${l.seq}`);
      }
    },
  };
}

/** The file's last line (without its newline), null when the file is missing or empty. */
export async function lastLineOf(path: string): Promise<string | null> {
  const size = await stat(path).then((s) => s.size, (e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return 0; throw e; });
  if (size === 0) return null;
  const fh = await open(path, 'r');
  try {
    // Backwards in chunks until a newline before the last line's text (a line can hold a thousand heads).
    let tail = '';
    for (let end = size; end > 0;) {
      const start = Math.max(0, end - 65_536);
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      tail = buf.toString('latin1') + tail;
      end = start;
      const trimmed = tail.replace(/\n+$/, '');
      const nl = trimmed.lastIndexOf('\n');
      if (nl >= 0 || start === 0) return Buffer.from(trimmed.slice(nl + 1), 'latin1').toString('utf8') || null;
    }
    return null;
  } finally {
    await fh.close();
  }
}

/** Every line of the file (for audit:verify); [] when it is missing. */
export async function readLines(path: string): Promise<string[] | null> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return null; throw e; });
  return text === null ? null : text.split('\n').filter((l) => l !== '');
}
