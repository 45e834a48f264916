import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadErpInstances } from '../../../src/config/erp-instances.ts';
import { instanceProblems } from '../../../src/erp/connector-kinds.ts';

/** The examples a newcomer copies must load as they are once their variables are set, for every kind. */
describe('erps/examples', () => {
  it('load, pass their kind\'s settings schema, and cover every kind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-erp-examples-'));
    cpSync('erps/examples', dir, { recursive: true });
    const env = new Proxy({}, { get: (_t, name) => (typeof name === 'string' ? `value-of-${name}-long-enough` : undefined) }) as Record<string, string>;
    const instances = loadErpInstances(dir, env);
    expect(instances.map((i) => i.kind).sort()).toEqual(['kingdee', 'rest', 'tryton']);
    expect(instances.flatMap(instanceProblems)).toEqual([]);
  });

  it('reports a kind\'s missing credential and bad settings with the file and key', () => {
    const inst = loadErpInstances('erps/examples', new Proxy({}, { get: () => 'x'.repeat(20) }) as Record<string, string>).find((i) => i.kind === 'tryton');
    if (!inst) throw new Error('no tryton example');
    const problems = instanceProblems({ ...inst, credentials: { login: 'bot' }, settings: { ...inst.settings, expense: { journal: 'EXP' } } });
    expect(problems).toEqual([
      expect.stringMatching(/tryton\.yaml: credentials\.password: a tryton instance needs it/),
      expect.stringMatching(/tryton\.yaml: settings\.expense\.account: /),
    ]);
  });
});
