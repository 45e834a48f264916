import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/audit/audit-log.ts';
import { AuditKeys, keyFile } from '../../src/audit/audit-keys.ts';
import { runCheckpoint } from '../../src/audit/checkpoint.ts';
import { fileSink, readLines } from '../../src/audit/checkpoint-sink.ts';
import { verifyAudit } from '../../src/audit/verify-audit.ts';
import { parseHmacKeys } from '../../src/config/audit-keys.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/** Key rotation with key ids, and the checkpoint export as an append-only, chained and MACed file. */
const b64 = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const K1 = `k1:${b64(1)}`;
const K2 = `k2:${b64(2)}`;
const clock = fixedClock(new Date('2026-12-01T08:00:00Z'));
let tdb: TestDb;
const dir = mkdtempSync(join(tmpdir(), 'audit-cp-'));
let fresh: TestDb | undefined;
/** The export belongs to one database: the file tests get a database of their own, whose lines start at 1. */
const db = () => (fresh ?? tdb).handle.db;

beforeAll(async () => {
  tdb = await createTestDb();
});
afterAll(async () => {
  await tdb.drop();
  await fresh?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const note = (id: string, step: number) => appendAudit(db(), { tenantId: 'default', at: clock.now(), actor: 'admin', action: 'finding.noted', source: 'system',
  subjectType: 'finding', subjectId: id, after: { step } });
const file = (name: string) => join(dir, name);
const verify = async (keys: AuditKeys, path: string) => verifyAudit(db(), { keys, checkpoints: { source: path, lines: await readLines(path) } });
const problems = (r: Awaited<ReturnType<typeof verify>>) => [...r.checkpoints.problems, ...r.tenants.flatMap((t) => t.broken.map((b) => `${b.chain}: ${b.reason}`))];

describe('key rotation', () => {
  it('old heads verify with the old key id, new ones with the new; a dropped old key is named', async () => {
    const cp = file('rotation.jsonl');
    const old = new AuditKeys(parseHmacKeys(K1));
    await note('r-old', 1);
    await note('r-new', 1);
    await runCheckpoint({ db: db(), keys: old, clock, sink: fileSink(cp) });
    // Rotated: k2 signs, k1 still verifies. Only the chain that moved is signed again, with k2.
    const rotated = new AuditKeys(parseHmacKeys(`${K2},${K1}`));
    await note('r-new', 2);
    const run = await runCheckpoint({ db: db(), keys: rotated, clock, sink: fileSink(cp) });
    expect(run.signed).toBe(1);
    const macs = await db().selectFrom('audit_head_macs').select(['chain', 'key_id', 'seq']).where('chain', 'in', ['finding:r-old', 'finding:r-new']).orderBy('chain').execute();
    expect(macs.map((m) => [m.chain, m.key_id, Number(m.seq)])).toEqual([['finding:r-new', 'k2', 2], ['finding:r-old', 'k1', 1]]);
    expect(problems(await verify(rotated, cp))).toEqual([]);
    // k1 taken out too early: what it signed (a head and the first checkpoint line) no longer verifies, and says why.
    const onlyNew = await verify(new AuditKeys(parseHmacKeys(K2)), cp);
    expect(onlyNew.ok).toBe(false);
    expect(problems(onlyNew)).toEqual(expect.arrayContaining([
      'line 1: signed with key id k1, which is not configured',
      'finding:r-old: its head was signed with key id k1, which is not configured',
    ]));
    // A key that merely has the right id is not the key.
    const impostor = await verify(new AuditKeys(parseHmacKeys(`k2:${b64(9)},k1:${b64(8)}`)), cp);
    expect(problems(impostor)).toContain('line 1: its MAC does not match (the line was edited)');
  });

  it('the embedded default: a key file created once, owner-only, and read back the same', () => {
    const path = join(dir, 'keys', 'audit-hmac.key');
    expect(keyFile(path, false)).toBeNull();
    const made = keyFile(path, true)!;
    expect(made.created).toBe(true);
    const again = keyFile(path, true)!;
    expect(again.created).toBe(false);
    expect(again.keys.sign('x')).toEqual(made.keys.sign('x'));
    expect(readFileSync(path, 'utf8')).toMatch(/^local:[A-Za-z0-9+/]{43}=\n$/);
  });
});

describe('the checkpoint file', () => {
  const keys = new AuditKeys(parseHmacKeys(K1));
  const cp = file('export.jsonl');
  beforeAll(async () => { fresh = await createTestDb(); });

  it('gets one chained, MACed line per run that moved a head, appended', async () => {
    for (let i = 1; i <= 3; i++) {
      await note(`f-${i}`, 1);
      await note('f-all', i);
      const run = await runCheckpoint({ db: db(), keys, clock, sink: fileSink(cp) });
      expect(run).toMatchObject({ lines: 1, delivered: 1 });
    }
    expect(await runCheckpoint({ db: db(), keys, clock, sink: fileSink(cp) })).toEqual({ signed: 0, lines: 0, delivered: 0 });
    const lines = (await readLines(cp))!;
    expect(lines.slice(-3).map((l) => (JSON.parse(l) as { heads: { c: string }[] }).heads.map((h) => h.c).filter((c) => c.startsWith('finding:f-')).sort()))
      .toEqual([['finding:f-1', 'finding:f-all'], ['finding:f-2', 'finding:f-all'], ['finding:f-3', 'finding:f-all']]);
    expect(problems(await verify(keys, cp))).toEqual([]);
  });

  it('a line removed is caught', async () => {
    const lines = (await readLines(cp))!;
    const copy = file('removed.jsonl');
    writeFileSync(copy, [...lines.slice(0, 1), ...lines.slice(2)].map((l) => `${l}\n`).join(''));
    expect(problems(await verify(keys, copy))).toEqual(['line 2: numbered 3 (lines before it were removed or added)']);
  });

  it('a line edited is caught, even with its link kept', async () => {
    const lines = (await readLines(cp))!;
    const copy = file('edited.jsonl');
    const edited = lines[1]!.replace(/"s":1/, '"s":0');
    expect(edited).not.toBe(lines[1]);
    writeFileSync(copy, lines.map((l, i) => `${i === 1 ? edited : l}\n`).join(''));
    expect(problems(await verify(keys, copy))).toEqual(['line 2: its MAC does not match (the line was edited)']);
  });

  it('the last lines cut off are caught (the database knows what was delivered)', async () => {
    const lines = (await readLines(cp))!;
    const copy = file('cut.jsonl');
    writeFileSync(copy, lines.slice(0, -1).map((l) => `${l}\n`).join(''));
    expect(problems(await verify(keys, copy))).toEqual([`the export ends at line ${lines.length - 1}, but line ${lines.length} was delivered (its tail was cut)`]);
  });

  it('a line written before a crash is not written twice: the file says how far it got', async () => {
    await note('f-crash', 1);
    // The line is in the file, but the run died before marking it delivered.
    const run = await runCheckpoint({ db: db(), keys, clock, sink: fileSink(cp) });
    expect(run.delivered).toBe(1);
    await db().updateTable('audit_checkpoints').set({ delivered_at: null }).execute();
    const before = (await readLines(cp))!.length;
    expect((await runCheckpoint({ db: db(), keys, clock, sink: fileSink(cp) })).delivered).toBe(0);
    expect((await readLines(cp))!.length).toBe(before);
    expect(problems(await verify(keys, cp))).toEqual([]);
  });
});
