import { z } from 'zod';
import { MASTER_KINDS, type MasterKind } from '../core/master-kinds.ts';
import { ConfigError } from '../core/errors.ts';
import { listYamlFiles, loadYamlFile } from './yaml-file.ts';

/**
 * One ERP instance per YAML file in ERPS_DIR (default ./erps): which kind of ERP, where it is, which environment
 * variables hold its credentials, which tenant it serves, how often it is polled, and the kind's own `settings`
 * (field and account mappings, status codes), which the kind's schema checks (src/erp/connector-kinds.ts).
 * Bots name an instance with `erp: <id>`; an intent's `erp.connector` may name another one.
 */
const envName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an environment variable name (A-Z, 0-9, _)');

export const ERP_KINDS = ['tryton', 'kingdee', 'rest'] as const;
export type ErpKind = (typeof ERP_KINDS)[number];

export const erpInstanceSchema = z.object({
  /** Letters, digits and dashes: used in URLs (`/webhooks/erp/<id>`) and metrics labels. */
  id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes, starting with a letter')
    .refine((id) => id !== 'sandbox' && !id.startsWith('sandbox-'), 'the names sandbox and sandbox-<tenant> are the built-in ledgers'),
  kind: z.enum(ERP_KINDS),
  tenant: z.string().min(1).default('default'),
  enabled: z.boolean().default(true),
  base_url: z.string().url().refine((u) => /^https?:\/\//.test(u), 'http:// or https://'),
  /** Credential name (what the kind asks for) → the environment variable that holds it. Secrets never sit in the file. */
  credentials: z.record(z.string(), envName).default({}),
  poll_interval_seconds: z.number().int().min(1).max(86_400).default(60),
  /** Each call's time limit; a write that times out is "result unknown" and is looked up by key before a resend. */
  timeout_ms: z.number().int().min(100).max(120_000).default(15_000),
  push: z.object({
    /** Environment variable with the HMAC-SHA256 secret shared with the ERP side. */
    secret: envName,
    /** How far a push's timestamp may be from now (either way). */
    window_seconds: z.number().int().min(10).max(3_600).default(300),
  }).strict().optional(),
  /**
   * Documents made in the ERP that are approved in chat: which ERP document kind becomes which intent (its fields
   * and route; an intent with `origin: erp`), carried by which bot (default: the tenant's bot whose `erp` names
   * this instance). Polled at `poll_interval_seconds`, or pushed.
   */
  approvals: z.array(z.object({
    doc_kind: z.enum(['expense_reimbursement', 'payment_request', 'purchase_requisition', 'purchase_order', 'payable', 'journal_voucher', 'material_requisition', 'contract']),
    intent: z.string().regex(/^[a-z][a-z0-9_]*$/),
    bot: z.string().min(1).optional(),
  }).strict()).default([]),
  /** Master data synced from this instance: which kinds (default: all the kind shares) and how often. */
  master_data: z.object({
    kinds: z.array(z.enum(MASTER_KINDS)).optional(),
    interval_seconds: z.number().int().min(10).max(604_800).default(900),
  }).strict().optional(),
  /** The kind's own block (mappings, status codes); checked by that kind's schema. */
  settings: z.record(z.string(), z.unknown()).default({}),
}).strict();

export type ErpInstanceFile = z.infer<typeof erpInstanceSchema>;

/** An instance with its credentials read from the environment. */
export interface ErpInstance {
  id: string;
  kind: ErpKind;
  tenant: string;
  baseUrl: string;
  /** Credential name → value. */
  credentials: Record<string, string>;
  pollIntervalMs: number;
  timeoutMs: number;
  push: { secret: string; windowMs: number } | null;
  settings: Record<string, unknown>;
  /** ERP document kind → the intent its documents are approved under in chat (and the bot that carries them). */
  approvals: { docKind: string; intent: string; bot?: string }[];
  /** Master data to sync: `kinds` null = every kind the connector shares. Null: no master-data sync. */
  masterData: { kinds: MasterKind[] | null; intervalMs: number } | null;
  /** Where it was read from (for error messages). */
  file: string;
}

/**
 * Reads every enabled instance of `dir` and resolves its credentials from `env`. A missing folder means no
 * instances (the sandbox alone); a bad file, a duplicate id or an unset variable fails with every problem listed.
 */
export function loadErpInstances(dir: string, env: Record<string, string | undefined>, opts: { optional?: boolean } = {}): ErpInstance[] {
  let files: string[];
  try {
    files = listYamlFiles(dir, 'ERPS_DIR');
  } catch (e: unknown) {
    if (opts.optional && e instanceof ConfigError) return [];
    throw e;
  }
  const errors: string[] = [];
  const out: ErpInstance[] = [];
  for (const file of files) {
    try {
      const f = loadYamlFile(file, erpInstanceSchema);
      if (out.some((i) => i.id === f.id)) errors.push(`${file}: id: duplicate ERP instance id "${f.id}"`);
      if (!f.enabled) continue;
      const credentials: Record<string, string> = {};
      for (const [name, variable] of Object.entries(f.credentials)) {
        const value = env[variable];
        if (value === undefined || value === '') errors.push(`${file}: credentials.${name}: environment variable ${variable} is not set`);
        else credentials[name] = value;
      }
      let push: ErpInstance['push'] = null;
      if (f.push) {
        const secret = env[f.push.secret];
        if (!secret) errors.push(`${file}: push.secret: environment variable ${f.push.secret} is not set`);
        else if (secret.length < 16) errors.push(`${file}: push.secret: the secret in ${f.push.secret} is shorter than 16 characters`);
        else push = { secret, windowMs: f.push.window_seconds * 1000 };
      }
      out.push({
        id: f.id, kind: f.kind, tenant: f.tenant, baseUrl: f.base_url.replace(/\/+$/, ''), credentials,
        pollIntervalMs: f.poll_interval_seconds * 1000, timeoutMs: f.timeout_ms, push, settings: f.settings, file,
        approvals: f.approvals.map((a) => ({ docKind: a.doc_kind, intent: a.intent, ...(a.bot ? { bot: a.bot } : {}) })),
        masterData: f.master_data ? { kinds: f.master_data.kinds ?? null, intervalMs: f.master_data.interval_seconds * 1000 } : null,
      });
    } catch (e: unknown) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (errors.length) throw new ConfigError(errors.join('\n'));
  return out;
}

/** The connector a name in a bot or intent file means for a tenant: `sandbox` is each tenant's own ledger. */
export function sandboxId(tenant: string): string {
  return tenant === 'default' ? 'sandbox' : `sandbox-${tenant}`;
}
