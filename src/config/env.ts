import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { parseHmacKeys, type HmacKey } from './audit-keys.ts';

/**
 * Database timeouts, in ms. connect: opening a connection or waiting for a free one. statement: the server
 * cancels a longer statement. idleInTransaction: the server closes a session idle that long inside a transaction
 * (a stalled process cannot hold locks for ever). query: the client gives up on a server that does not answer
 * at all (black-holed), after the statement timeout had its chance. startup: how long start-up waits for an
 * unreachable database before exiting with one line (connect attempts included, so it ends within startup + a
 * few ms).
 */
export const DB_TIMEOUT_DEFAULTS = { connectMs: 5000, statementMs: 30_000, idleInTransactionMs: 60_000, queryMs: 35_000, startupMs: 10_000 } as const;

/**
 * The only reader of process.env. Parses, validates and freezes the configuration; a wrong value
 * fails with one line naming the variable.
 */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Loopback by default: reaching the service from the network is a decision (HOST=0.0.0.0), made with sign-in configured. */
  HOST: z.string().default('127.0.0.1'),
  /** Unset → embedded PostgreSQL (PGlite) under DATA_DIR. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres://').optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Pool timeouts (see DB_TIMEOUT_DEFAULTS); 0 turns one off. */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(0).default(DB_TIMEOUT_DEFAULTS.connectMs),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(DB_TIMEOUT_DEFAULTS.statementMs),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(DB_TIMEOUT_DEFAULTS.idleInTransactionMs),
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).default(DB_TIMEOUT_DEFAULTS.queryMs),
  DATABASE_STARTUP_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(DB_TIMEOUT_DEFAULTS.startupMs),
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Tenant time zone for "today", "this month" and card timestamps. */
  TIME_ZONE: z.string().default('Asia/Shanghai').refine(isTimeZone, 'unknown IANA time zone'),
  BOTS_DIR: z.string().default('./bots'),
  /** ERP instances, one YAML file each (src/config/erp-instances.ts); a missing folder means the sandbox alone. */
  ERPS_DIR: z.string().default('./erps'),
  INTENTS_DIR: z.string().default('./intents'),
  DIRECTORY_FILE: z.string().default('./directory/demo.yaml'),
  NLU_MODE: z.enum(['offline', 'llm', 'hybrid']).default('offline'),
  OPENAI_BASE_URL: z.string().url().default('https://api.openai.com/v1'),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(100).default(8000),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  OUTBOX_LEASE_MS: z.coerce.number().int().min(100).default(30000),
  OUTBOX_JOB_TIMEOUT_MS: z.coerce.number().int().min(100).default(60000),
  WORKER_POLL_MS: z.coerce.number().int().min(5).default(250),
  ERP_POLL_MS: z.coerce.number().int().min(50).default(5000),
  SLA_CHECK_MS: z.coerce.number().int().min(100).default(60000),
  /**
   * Demo mode: the console page lets a client on this machine pick any directory person without signing in.
   * Off unless asked for (`npm run demo`); clients from elsewhere are refused even when it is on.
   */
  CONSOLE_DEMO: z.enum(['true', 'false', '1', '0']).default('false').transform((v) => v === 'true' || v === '1'),
  /** How long a sign-in lasts (the session cookie and its row), in hours. */
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /**
   * Where people reach the service (scheme, host, optional path prefix; no trailing slash): sign-in redirect URLs are
   * built from it, never from the request's Host header, which a client chooses.
   */
  PUBLIC_URL: z.string().url().regex(/^https?:\/\/[^?#]*[^/?#]$/, 'http(s) URL without query, fragment or trailing slash').optional(),
  /** How long one call to Feishu's or DingTalk's sign-in APIs may take before the sign-in fails with a clear page. */
  SIGN_IN_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /**
   * Origins (scheme://host[:port], comma-separated) whose pages may call the console, admin and sign-in APIs besides
   * PUBLIC_URL's and a loopback address: e.g. the address a proxy serves the console at, when PUBLIC_URL is another.
   */
  TRUSTED_ORIGINS: z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== '')).pipe(z.array(z.string().refine(isOrigin, 'each entry an http(s) origin: scheme://host[:port], no path'))).default([]),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10000),
  /**
   * Keys that authenticate audit chain heads and checkpoints (src/audit/): `id:<base64>`, comma-separated, the first
   * signing; the others verify what they signed (rotation). Unset: a key file beside DATA_DIR (AUDIT_HMAC_KEY_FILE).
   */
  AUDIT_HMAC_KEYS: z.string().superRefine((s, ctx) => { try { parseHmacKeys(s); } catch (e: unknown) { ctx.addIssue({ code: 'custom', message: (e as Error).message }); } }).optional(),
  AUDIT_HMAC_KEY_FILE: z.string().optional(),
  /** How often chain heads are signed and checkpointed. */
  AUDIT_CHECKPOINT_MS: z.coerce.number().int().min(1000).default(300_000),
  /** The append-only export of checkpoints: a JSON-lines file, or an endpoint each line is POSTed to. */
  AUDIT_CHECKPOINT_FILE: z.string().optional(),
  AUDIT_CHECKPOINT_URL: z.string().url().regex(/^https?:\/\//, 'http(s) URL').optional(),
  /** Failed authentications per source within the window before 429 auth.rate_limited. */
  AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(20),
  AUTH_FAILURE_WINDOW_MS: z.coerce.number().int().min(1000).max(86_400_000).default(900_000),
  /** Addresses of reverse proxies whose X-Forwarded-For names the client (comma-separated). */
  TRUSTED_PROXIES: z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== '')).default([]),
  /** Retention of the tables that grow with traffic (src/scheduler/retention.ts), in days; fractions allowed. */
  // Handled events are what makes a redelivery a no-op: kept past every platform's redelivery window (Feishu: 6 h).
  RETENTION_INBOX_DONE_DAYS: z.coerce.number().min(1).default(7),
  RETENTION_INBOX_FAILED_DAYS: z.coerce.number().min(1).default(30),
  RETENTION_OUTBOX_DONE_DAYS: z.coerce.number().positive().default(1),
  RETENTION_OUTBOX_DEAD_DAYS: z.coerce.number().positive().default(30),
  RETENTION_CONSOLE_MESSAGES_DAYS: z.coerce.number().positive().default(30),
  RETENTION_CHAT_CARDS_DAYS: z.coerce.number().positive().default(30),
  RETENTION_REFUSALS_DAYS: z.coerce.number().positive().default(90),
  RETENTION_EXPIRED_DIALOGS_DAYS: z.coerce.number().positive().default(30),
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** Reconciliation (src/reconciliation/): how often it runs, and when an approval without a document or an unpaid posting becomes a finding. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  RECONCILE_APPROVED_WITHOUT_DOCUMENT_MINUTES: z.coerce.number().positive().default(30),
  RECONCILE_POSTED_UNPAID_DAYS: z.coerce.number().positive().default(14),
});

export type RawEnv = z.infer<typeof schema>;

/** A serialized http(s) origin, as a browser sends it in Origin (no path, query or trailing slash). */
function isOrigin(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s;
  } catch {
    return false;
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  poolSize: number;
  dbTimeouts: { connectMs: number; statementMs: number; idleInTransactionMs: number; queryMs: number; startupMs: number };
  dataDir: string;
  logLevel: RawEnv['LOG_LEVEL'];
  timeZone: string;
  botsDir: string;
  erpsDir: string;
  intentsDir: string;
  directoryFile: string;
  nlu: {
    mode: RawEnv['NLU_MODE'];
    openai: { baseUrl: string; apiKey: string; model: string; timeoutMs: number };
  };
  workers: { concurrency: number; maxAttempts: number; leaseMs: number; jobTimeoutMs: number; pollMs: number; erpPollMs: number; slaCheckMs: number };
  /** CONSOLE_DEMO: pick any user in the console, loopback clients only. */
  consoleDemo: boolean;
  sessionTtlMs: number;
  /** TRUSTED_ORIGINS: origins besides PUBLIC_URL's and loopback whose pages may call our APIs (src/http/same-origin.ts). */
  trustedOrigins: string[];
  /** PUBLIC_URL: the service's public origin (and path prefix), for sign-in redirect URLs and Secure cookies. */
  publicUrl: string | undefined;
  signIn: { timeoutMs: number };
  shutdownGraceMs: number;
  audit: AuditConfig;
  /** Failed authentications per source (src/http/auth-limit.ts); reverse proxies trusted to name the client. */
  authLimit: { maxFailures: number; windowMs: number };
  trustedProxies: string[];
  retention: RetentionConfig;
  reconcile: ReconcileConfig;
}

/**
 * The audit log's keys and checkpoints (src/audit/). hmacKeys null: none configured, the key file is used (created
 * at first start); keyFile sits beside DATA_DIR, never in it (PGlite's directory is the database).
 */
export interface AuditConfig {
  hmacKeys: HmacKey[] | null; keyFile: string; checkpointMs: number; checkpointFile: string | undefined; checkpointUrl: string | undefined;
}

/** How often reconciliation runs (ms) and its thresholds: minutes approved without an ERP document, days posted and unpaid. */
export interface ReconcileConfig { intervalMs: number; approvedWithoutDocumentMinutes: number; postedUnpaidDays: number }

/** How long rows of each traffic-grown table are kept (ms), how often the purge runs and how many rows one DELETE takes. */
export interface RetentionConfig {
  inboxDoneMs: number; inboxFailedMs: number; outboxDoneMs: number; outboxDeadMs: number; consoleMessagesMs: number;
  chatCardsMs: number; refusalsMs: number; expiredDialogsMs: number; intervalMs: number; batchSize: number;
}

const DAY_MS = 24 * 3600_000;

/** The process environment, for what names its own variables (ERP instance credentials, bot secrets). */
export function processEnv(): Record<string, string | undefined> {
  return process.env;
}

/** Parses an environment (process.env by default). Throws ConfigError with one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<AppConfig> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const e = parsed.data;
  if (e.DATABASE_QUERY_TIMEOUT_MS > 0 && e.DATABASE_STATEMENT_TIMEOUT_MS > 0 && e.DATABASE_QUERY_TIMEOUT_MS <= e.DATABASE_STATEMENT_TIMEOUT_MS) {
    // The server cancels a slow statement cleanly and keeps the connection; the client-side timeout drops the connection.
    throw new ConfigError(`DATABASE_QUERY_TIMEOUT_MS: must be above DATABASE_STATEMENT_TIMEOUT_MS (${e.DATABASE_STATEMENT_TIMEOUT_MS}), or 0`);
  }
  // Failed events and dead jobs are kept longer than finished ones, for an admin to look at.
  if (e.RETENTION_INBOX_FAILED_DAYS < e.RETENTION_INBOX_DONE_DAYS) {
    throw new ConfigError(`RETENTION_INBOX_FAILED_DAYS: must be at least RETENTION_INBOX_DONE_DAYS (${e.RETENTION_INBOX_DONE_DAYS})`);
  }
  if (e.RETENTION_OUTBOX_DEAD_DAYS < e.RETENTION_OUTBOX_DONE_DAYS) {
    throw new ConfigError(`RETENTION_OUTBOX_DEAD_DAYS: must be at least RETENTION_OUTBOX_DONE_DAYS (${e.RETENTION_OUTBOX_DONE_DAYS})`);
  }
  if (e.AUDIT_CHECKPOINT_FILE && e.AUDIT_CHECKPOINT_URL) {
    throw new ConfigError('AUDIT_CHECKPOINT_URL: set AUDIT_CHECKPOINT_FILE or AUDIT_CHECKPOINT_URL, not both');
  }
  if (e.NLU_MODE !== 'offline' && !e.OPENAI_API_KEY) {
    throw new ConfigError(`OPENAI_API_KEY: required when NLU_MODE=${e.NLU_MODE}`);
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    poolSize: e.DATABASE_POOL_SIZE,
    dbTimeouts: {
      connectMs: e.DATABASE_CONNECT_TIMEOUT_MS, statementMs: e.DATABASE_STATEMENT_TIMEOUT_MS, idleInTransactionMs: e.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      queryMs: e.DATABASE_QUERY_TIMEOUT_MS, startupMs: e.DATABASE_STARTUP_TIMEOUT_MS,
    },
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    timeZone: e.TIME_ZONE,
    botsDir: e.BOTS_DIR,
    erpsDir: e.ERPS_DIR,
    intentsDir: e.INTENTS_DIR,
    directoryFile: e.DIRECTORY_FILE,
    nlu: { mode: e.NLU_MODE, openai: { baseUrl: e.OPENAI_BASE_URL, apiKey: e.OPENAI_API_KEY ?? '', model: e.OPENAI_MODEL, timeoutMs: e.OPENAI_TIMEOUT_MS } },
    workers: {
      concurrency: e.WORKER_CONCURRENCY, maxAttempts: e.OUTBOX_MAX_ATTEMPTS, leaseMs: e.OUTBOX_LEASE_MS, jobTimeoutMs: e.OUTBOX_JOB_TIMEOUT_MS,
      pollMs: e.WORKER_POLL_MS, erpPollMs: e.ERP_POLL_MS, slaCheckMs: e.SLA_CHECK_MS,
    },
    consoleDemo: e.CONSOLE_DEMO,
    sessionTtlMs: Math.round(e.SESSION_TTL_HOURS * 3600_000),
    trustedOrigins: e.TRUSTED_ORIGINS,
    publicUrl: e.PUBLIC_URL,
    signIn: { timeoutMs: e.SIGN_IN_TIMEOUT_MS },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    audit: {
      hmacKeys: e.AUDIT_HMAC_KEYS ? parseHmacKeys(e.AUDIT_HMAC_KEYS) : null, keyFile: e.AUDIT_HMAC_KEY_FILE ?? join(dirname(e.DATA_DIR), 'audit-hmac.key'),
      checkpointMs: e.AUDIT_CHECKPOINT_MS, checkpointFile: e.AUDIT_CHECKPOINT_FILE, checkpointUrl: e.AUDIT_CHECKPOINT_URL,
    },
    authLimit: { maxFailures: e.AUTH_FAILURE_LIMIT, windowMs: e.AUTH_FAILURE_WINDOW_MS },
    trustedProxies: e.TRUSTED_PROXIES,
    retention: {
      inboxDoneMs: e.RETENTION_INBOX_DONE_DAYS * DAY_MS, inboxFailedMs: e.RETENTION_INBOX_FAILED_DAYS * DAY_MS,
      outboxDoneMs: e.RETENTION_OUTBOX_DONE_DAYS * DAY_MS, outboxDeadMs: e.RETENTION_OUTBOX_DEAD_DAYS * DAY_MS,
      consoleMessagesMs: e.RETENTION_CONSOLE_MESSAGES_DAYS * DAY_MS, chatCardsMs: e.RETENTION_CHAT_CARDS_DAYS * DAY_MS,
      refusalsMs: e.RETENTION_REFUSALS_DAYS * DAY_MS, expiredDialogsMs: e.RETENTION_EXPIRED_DIALOGS_DAYS * DAY_MS,
      intervalMs: e.RETENTION_INTERVAL_MS, batchSize: e.RETENTION_BATCH_SIZE,
    },
    reconcile: {
      intervalMs: e.RECONCILE_INTERVAL_MS, approvedWithoutDocumentMinutes: e.RECONCILE_APPROVED_WITHOUT_DOCUMENT_MINUTES,
      postedUnpaidDays: e.RECONCILE_POSTED_UNPAID_DAYS,
    },
  });
}

/** Resolves a bot's secret by the environment variable NAME its YAML gives. */
export function readSecret(name: string, env: Record<string, string | undefined> = process.env): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}
