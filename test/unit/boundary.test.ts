import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('boundaries', () => {
  it('only src/config/env.ts reads process.env', () => {
    const offenders = files('src').filter((f) => f !== join('src', 'config', 'env.ts') && readFileSync(f, 'utf8').includes('process.env'));
    expect(offenders).toEqual([]);
  });

  it('the approval machine, route resolver, form filler and card builders stay pure (no pg, kysely, hono, SDKs)', () => {
    const pure = [
      'src/workflow/approval-machine.ts', 'src/workflow/approval-states.ts', 'src/workflow/route-resolver.ts', 'src/conversation/form-filler.ts',
      ...files('src/cards').filter((f) => !f.endsWith('card-delivery.ts')), ...files('src/core'),
    ];
    const forbidden = /from '(pg|kysely|hono[^']*|openai|@larksuiteoapi\/node-sdk|dingtalk-stream|@electric-sql\/pglite)'/;
    expect(pure.filter((f) => forbidden.test(readFileSync(f, 'utf8')))).toEqual([]);
  });
});
