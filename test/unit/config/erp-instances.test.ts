import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { originatedProblems } from '../../../src/app/wire-config.ts';
import type { BotConfig } from '../../../src/config/bot-schema.ts';
import { loadErpInstances } from '../../../src/config/erp-instances.ts';
import { loadIntentCatalog } from '../../../src/config/intent-catalog.ts';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'aa-erps-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const tryton = 'id: tryton-main\nkind: tryton\nbase_url: http://127.0.0.1:8000\ncredentials: { login: T_LOGIN, password: T_PASSWORD }\npoll_interval_seconds: 30\npush: { secret: T_PUSH }\n';

describe('ERP instance files', () => {
  it('reads an instance with its credentials and push secret from the environment', () => {
    const [inst] = loadErpInstances(dirWith({ 't.yaml': tryton }), { T_LOGIN: 'bot', T_PASSWORD: 'pw', T_PUSH: 'sixteen-chars-or-more' });
    expect(inst).toMatchObject({
      id: 'tryton-main', kind: 'tryton', tenant: 'default', baseUrl: 'http://127.0.0.1:8000', credentials: { login: 'bot', password: 'pw' },
      pollIntervalMs: 30_000, timeoutMs: 15_000, push: { secret: 'sixteen-chars-or-more', windowMs: 300_000 },
    });
  });

  it('lists every unset variable, a short push secret and a duplicate id, naming the file and the key', () => {
    const dir = dirWith({ 'a.yaml': tryton, 'b.yaml': tryton });
    let message = '';
    try {
      loadErpInstances(dir, { T_LOGIN: 'bot', T_PUSH: 'short' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/a\.yaml: credentials\.password: environment variable T_PASSWORD is not set/);
    expect(message).toMatch(/a\.yaml: push\.secret: the secret in T_PUSH is shorter than 16 characters/);
    expect(message).toMatch(/b\.yaml: id: duplicate ERP instance id "tryton-main"/);
  });

  it('refuses an unknown kind, a secret written in the file, a reserved name and an unknown key', () => {
    const dir = dirWith({
      'k.yaml': 'id: sap\nkind: sap-b1\nbase_url: http://x\n',
      'p.yaml': 'id: p\nkind: rest\nbase_url: http://x\ncredentials: { token: "s3cr3t value" }\n',
      's.yaml': 'id: sandbox\nkind: rest\nbase_url: http://x\n',
      'u.yaml': 'id: u\nkind: rest\nbase_url: http://x\npassword: x\n',
    });
    expect(() => loadErpInstances(dir, {})).toThrow(/k\.yaml: kind: [\s\S]*p\.yaml: credentials\.token: an environment variable name[\s\S]*s\.yaml: id: the names sandbox[\s\S]*u\.yaml: \(root\): Unrecognized key/);
  });

  it('skips a disabled instance without asking for its variables, and refuses a folder that is not there', () => {
    expect(loadErpInstances(dirWith({ 'd.yaml': `${tryton}enabled: false\n` }), {})).toEqual([]);
    const parent = mkdtempSync(join(tmpdir(), 'aa-erps-'));
    mkdirSync(join(parent, 'empty'));
    expect(loadErpInstances(join(parent, 'empty'), {})).toEqual([]);
    expect(() => loadErpInstances(join(parent, 'missing'), {})).toThrow(/^ERPS_DIR: no directory/);
  });
});

describe('documents made in the ERP: instance approvals and master data', () => {
  const env = { T_LOGIN: 'bot', T_PASSWORD: 'pw', T_PUSH: 'sixteen-chars-or-more' };
  const catalog = loadIntentCatalog('intents');
  const bot = { id: 'console', platform: 'console', tenant: 'default', enabled: true, locale: 'zh', erp: 'sandbox' } as BotConfig;

  it('reads the mappings and the master-data block', () => {
    const [inst] = loadErpInstances(dirWith({ 't.yaml': `${tryton}approvals:\n  - { doc_kind: purchase_requisition, intent: erp_purchase_requisition }\nmaster_data: { kinds: [supplier, employee], interval_seconds: 600 }\n` }), env);
    expect(inst).toMatchObject({ approvals: [{ docKind: 'purchase_requisition', intent: 'erp_purchase_requisition' }], masterData: { kinds: ['supplier', 'employee'], intervalMs: 600_000 } });
    expect(originatedProblems(catalog, [bot], [inst!])).toEqual([]);
  });

  it('refuses a mapping to an intent people open in chat, to an unknown intent, or to a bot the tenant does not have', () => {
    const insts = loadErpInstances(dirWith({ 't.yaml': `${tryton}approvals:\n  - { doc_kind: purchase_requisition, intent: purchase_request }\n  - { doc_kind: contract, intent: no_such_intent }\n  - { doc_kind: payable, intent: erp_purchase_requisition, bot: feishu-x }\n` }), env);
    const problems = originatedProblems(catalog, [bot], insts);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/approvals\.0\.intent: intent "purchase_request" is not marked origin: erp/);
    expect(problems[1]).toMatch(/approvals\.1\.intent: no intent "no_such_intent"/);
    expect(problems[2]).toMatch(/approvals\.2\.bot: no enabled bot "feishu-x"/);
  });

  it('refuses an unknown master-data kind', () => {
    expect(() => loadErpInstances(dirWith({ 't.yaml': `${tryton}master_data: { kinds: [planets] }\n` }), env)).toThrow(/master_data\.kinds/);
  });
});
