import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';

/**
 * The only reader of process.env. Parses, validates and freezes the configuration; a wrong value
 * fails with one line naming the variable.
 */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Unset → embedded PostgreSQL (PGlite) under DATA_DIR. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres://').optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Tenant time zone for "today", "this month" and card timestamps. */
  TIME_ZONE: z.string().default('Asia/Shanghai').refine(isTimeZone, 'unknown IANA time zone'),
  BOTS_DIR: z.string().default('./bots'),
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
  /** Optional bearer token for /console/api/* and /admin/api/*. */
  CONSOLE_TOKEN: z.string().min(8).optional(),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10000),
});

export type RawEnv = z.infer<typeof schema>;

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
  dataDir: string;
  logLevel: RawEnv['LOG_LEVEL'];
  timeZone: string;
  botsDir: string;
  intentsDir: string;
  directoryFile: string;
  nlu: {
    mode: RawEnv['NLU_MODE'];
    openai: { baseUrl: string; apiKey: string; model: string; timeoutMs: number };
  };
  workers: { concurrency: number; maxAttempts: number; leaseMs: number; jobTimeoutMs: number; pollMs: number; erpPollMs: number; slaCheckMs: number };
  consoleToken: string | undefined;
  shutdownGraceMs: number;
}

/** Parses an environment (process.env by default). Throws ConfigError with one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<AppConfig> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const e = parsed.data;
  if (e.NLU_MODE !== 'offline' && !e.OPENAI_API_KEY) {
    throw new ConfigError(`OPENAI_API_KEY: required when NLU_MODE=${e.NLU_MODE}`);
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    poolSize: e.DATABASE_POOL_SIZE,
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    timeZone: e.TIME_ZONE,
    botsDir: e.BOTS_DIR,
    intentsDir: e.INTENTS_DIR,
    directoryFile: e.DIRECTORY_FILE,
    nlu: { mode: e.NLU_MODE, openai: { baseUrl: e.OPENAI_BASE_URL, apiKey: e.OPENAI_API_KEY ?? '', model: e.OPENAI_MODEL, timeoutMs: e.OPENAI_TIMEOUT_MS } },
    workers: {
      concurrency: e.WORKER_CONCURRENCY, maxAttempts: e.OUTBOX_MAX_ATTEMPTS, leaseMs: e.OUTBOX_LEASE_MS, jobTimeoutMs: e.OUTBOX_JOB_TIMEOUT_MS,
      pollMs: e.WORKER_POLL_MS, erpPollMs: e.ERP_POLL_MS, slaCheckMs: e.SLA_CHECK_MS,
    },
    consoleToken: e.CONSOLE_TOKEN,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  });
}

/** Resolves a bot's secret by the environment variable NAME its YAML gives. */
export function readSecret(name: string, env: Record<string, string | undefined> = process.env): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}
