import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers of src/, top to bottom. A folder imports only folders below it (types too); what must call
 * upward gets a function injected by the composition root (src/app). README's "How it is built" draws this.
 */
const LAYERS = [
  'main.ts', 'cli', // entry points
  'app', // composition root: the only place that picks concrete adapters
  'admin', // admin API and pages
  'actions', // what a message or a click means
  'outbox', // the worker that runs jobs: card and message delivery, ERP calls
  'platforms', // Feishu, DingTalk, console adapters
  'erp', // ERP port, connectors, status sync, ERP-originated approvals, master-data sync
  'reconciliation', // approvals against ERP records, drift: findings and digests
  'reports', // figures over requests: cycle times
  'conversation', // dialogs, form filling, understanding
  'cards', // pure card builders
  'workflow', // approval state machine, routes, approval service
  'master-data', // ERP master data as synced: records, name matching, people ↔ ERP persons
  'inbox', // inbound events: accept (dedupe), worker loop
  'identity', // who is acting: sign-in (Feishu, DingTalk OAuth, bootstrap link), sessions, roles, service tokens
  'directory', // people, departments, roles, chat identities
  'jobs', // job kinds and enqueue in the caller's transaction
  'scheduler', // periodic tasks, doorbells
  'http', // server plumbing: body limits, error handler, readiness
  'observability', // logger, metrics (table sizes read the database)
  'audit', // hash-chained audit log
  'db', // Kysely, migrations, SQL functions
  'config', // env, bot and intent schemas
  'i18n', // message catalogs
  'core', // errors, clock, ids, money, locale, neutral event and card types
] as const;

const SRC = normalize(join(import.meta.dirname, '../../src'));
const rank = (folder: string) => LAYERS.indexOf(folder as (typeof LAYERS)[number]);

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The top-level room of a path under src/ (`main.ts` for the entry file itself). */
function roomOf(file: string): string | null {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return null;
  return rel.split(sep)[0]!;
}

/** Every relative import, static, dynamic or type-only, of one file, resolved to a path. */
function importsOf(file: string, read: (f: string) => string): string[] {
  const text = read(file);
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => normalize(join(dirname(file), m[1]!)));
}

/** Upward imports: a file of a lower layer importing a higher one. */
function violations(files: string[], read: (f: string) => string = (f) => readFileSync(f, 'utf8')): string[] {
  const out: string[] = [];
  for (const f of files) {
    const from = roomOf(f);
    if (!from) continue;
    for (const target of importsOf(f, read)) {
      const to = roomOf(target);
      if (!to || to === from) continue;
      if (rank(to) <= rank(from)) out.push(`${relative(SRC, f)} imports ${relative(SRC, target)} (${from} is below ${to})`);
    }
  }
  return out;
}

describe('layers', () => {
  const files = tsFiles(SRC);

  it('every top-level entry of src/ is a known layer', () => {
    const rooms = new Set(files.map((f) => roomOf(f)!));
    expect([...rooms].filter((r) => rank(r) < 0)).toEqual([]);
  });

  it('no folder imports a folder above it', () => {
    expect(violations(files)).toEqual([]);
  });

  it('the check sees an upward import (a lower layer reaching up)', () => {
    // A file in core importing workflow, and one in cards importing outbox: both must be reported.
    const fake = [join(SRC, 'core/x.ts'), join(SRC, 'cards/y.ts')];
    const read = (f: string) => (f.endsWith('x.ts') ? "import { a } from '../workflow/approval-service.ts';" : "import type { B } from '../outbox/outbox-worker.ts';");
    expect(violations(fake, read)).toEqual([
      'core/x.ts imports workflow/approval-service.ts (core is below workflow)',
      'cards/y.ts imports outbox/outbox-worker.ts (cards is below outbox)',
    ]);
  });

  it('no file of src/ or test/ is longer than 300 lines', () => {
    const all = [...files, ...tsFiles(normalize(join(SRC, '../test')))];
    const long = all.map((f) => ({ f: relative(join(SRC, '..'), f), n: readFileSync(f, 'utf8').split('\n').length - 1 })).filter((x) => x.n > 300);
    expect(long).toEqual([]);
  });
});
