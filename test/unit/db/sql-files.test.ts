import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newestFunctionFiles, sqlFunctionFiles } from '../../support/sql-files.ts';

/**
 * The SQL functions have one source: src/db/sql/<function>.v<N>.sql, whole, loaded by the migration that installs
 * that version (src/db/sql-source.ts). A landed version is never edited: a database migrated before the edit would
 * keep the old text while a fresh one got the new. A change is a new version, in a new migration.
 */
const LANDED: Record<string, string> = {
  'audit_append.v1.sql': 'e1639845e95fdb3786e726251dabb6f0e364b7f3e844c1ab7e1050f4d8f1aa21',
  'commit_request_change.v1.sql': '04eba894876d06fbef97ce9d27375a72b9b990a5032b1740c6b9d95a6a9cd456',
  'commit_request_change.v2.sql': '2ab77ef9e0d616a68258b580679025d899a28b6bb5b5c60757014df48756ec85',
  'commit_request_change.v3.sql': '63a6a57f5fde9fc2673411332d3473528a19a1c817a897ed51b9aabbab2bc951',
  'commit_request_change.v4.sql': 'efc3ff77dfe132845d42e28c39e106312810d486d8c0f10eaa40e847b29103af',
  'commit_request_change.v5.sql': 'fedf29dfe6339bc8ef06b18ef22ac513c62a34bdfa54756e0fcf48fca13882a6',
  'commit_request_changes.v1.sql': '0ad996f38d428abd14ea22fa45e56e6b034f9cb8f75b9f0800ea8bbabf20578b',
  'inbox_record.v1.sql': 'ddeca883f8c7c0864f45d630445cd17c462581cf59aa4628dac0b59400a8873c',
  'outbox_enqueue.v1.sql': 'b2d26567ec5f2ceea822d9d5b763ee6fb3f57170acdb825b47569dfb0d26c000',
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const migrationTexts = () => files('migrations').map((f) => ({ f, text: readFileSync(f, 'utf8') }));

describe('SQL function files', () => {
  it('a landed version is never edited (its statement hashes as when it landed; a new version adds a line here)', () => {
    const now = Object.fromEntries(sqlFunctionFiles().map((f) => [f.file, createHash('sha256').update(f.statement).digest('hex')]));
    expect(now).toEqual(LANDED);
  });

  it('versions run 1, 2, 3, … per function, each installed (or reinstalled) by a migration, and nothing else is loaded', () => {
    const all = sqlFunctionFiles();
    for (const [name, newest] of newestFunctionFiles()) {
      expect(all.filter((f) => f.name === name).map((f) => f.version), name).toEqual(Array.from({ length: newest.version }, (_, i) => i + 1));
    }
    const loaded = new Set(migrationTexts().flatMap(({ text }) => [...text.matchAll(/sqlFunction\('(\w+)', (\d+)\)/g)].map((m) => `${m[1]}.v${m[2]}.sql`)));
    expect([...loaded].sort()).toEqual(all.map((f) => f.file).sort());
  });

  it('migrations hold no function text of their own and patch none', () => {
    const offenders = migrationTexts().filter(({ text }) => /create\s+(or\s+replace\s+)?function|\.replace\(/i.test(text)).map(({ f }) => f);
    expect(offenders).toEqual([]);
  });

  it('one writer per table: new inbox_events rows only in inbox_record(), new outbox_jobs rows only in outbox_enqueue()', () => {
    const writes = (text: string, table: string) => new RegExp(`insert\\s+into\\s+${table}\\b|insertInto\\(\\s*'${table}'`, 'i').test(text);
    for (const [table, writer] of [['inbox_events', 'inbox_record'], ['outbox_jobs', 'outbox_enqueue']] as const) {
      expect(files('src').filter((f) => writes(readFileSync(f, 'utf8'), table)), table).toEqual([]);
      expect([...newestFunctionFiles().values()].filter((f) => writes(f.body, table)).map((f) => f.name), table).toEqual([writer]);
    }
  });
});
