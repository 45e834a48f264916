import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { AuditKeys, keyFile } from '../audit/audit-keys.ts';
import { runCheckpoint } from '../audit/checkpoint.ts';
import { fileSink, readLines, urlSink, type CheckpointSink } from '../audit/checkpoint-sink.ts';
import { countRefusal, minuteOf, summarizeRefusals } from '../audit/refusal-counts.ts';
import { verifyAudit, type AuditReport } from '../audit/verify-audit.ts';
import type { AppConfig } from '../config/env.ts';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../db/database.ts';
import { AuthFailureLimiter } from '../http/auth-limit.ts';
import { clientSource } from '../http/client-source.ts';
import type { RefusalCounting } from '../http/refusals.ts';

export interface AuditWiring {
  keys: AuditKeys;
  /** One scheduled run: refusal summaries, then heads signed and checkpointed. */
  checkpoint: () => Promise<void>;
  verify: () => Promise<AuditReport>;
  refusals: RefusalCounting;
  authLimit: { limiter: AuthFailureLimiter; sourceOf: (c: Context) => string };
}

/**
 * The audit's keys, its export and the refusal counting. Without AUDIT_HMAC_KEYS the key comes from a file beside
 * the data directory, created at first start; that and a missing export are said once at start-up, as warnings,
 * because a production deployment should have neither.
 */
export function wireAudit(d: { db: Kysely<Database>; config: AppConfig; clock: Clock; logger: Logger; tenant: string; fetch?: typeof fetch }): AuditWiring {
  const { db, config, clock, logger } = d;
  const a = config.audit;
  let keys: AuditKeys;
  if (a.hmacKeys) {
    keys = new AuditKeys(a.hmacKeys);
  } else {
    const got = keyFile(a.keyFile, true)!;
    keys = got.keys;
    logger.warn({ keyFile: a.keyFile, created: got.created },
      `audit: no AUDIT_HMAC_KEYS; chain heads are signed with the key in ${a.keyFile}${got.created ? ' (created now)' : ''}. In production set AUDIT_HMAC_KEYS (README: Security, Audit)`);
  }
  const sink: CheckpointSink | null = a.checkpointFile ? fileSink(a.checkpointFile) : a.checkpointUrl ? urlSink(a.checkpointUrl, d.fetch ?? fetch) : null;
  if (!sink) logger.warn('audit: no AUDIT_CHECKPOINT_FILE or AUDIT_CHECKPOINT_URL; checkpoints of the chain heads are not exported');
  const proxies = new Set(config.trustedProxies);
  const sourceOf = (c: Context): string => clientSource(c, proxies);
  return {
    keys,
    checkpoint: async () => {
      await summarizeRefusals(db, clock.now());
      const run = await runCheckpoint({ db, keys, clock, sink });
      if (run.signed > 0 || run.delivered > 0) logger.info({ ...run, sink: sink?.describe ?? null }, 'audit checkpoint');
    },
    verify: async () => {
      const report = await verifyAudit(db, { keys, checkpoints: a.checkpointFile ? { source: a.checkpointFile, lines: await readLines(a.checkpointFile) } : undefined });
      if (a.checkpointUrl) report.checkpoints.note = `checkpoints go to ${sink?.describe ?? ''}; check that copy with npm run audit:verify -- --checkpoints <file>`;
      return report;
    },
    refusals: {
      count: (r) => countRefusal(db, { tenantId: d.tenant, source: r.source, reason: r.reason, path: r.path, at: clock.now() }),
      sourceOf, minuteOf: () => minuteOf(clock.now()).getTime(),
      onError: (e) => logger.warn({ err: e }, 'counting a refused request failed'),
    },
    authLimit: { limiter: new AuthFailureLimiter(db, clock, config.authLimit), sourceOf },
  };
}
