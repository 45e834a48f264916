import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBots } from '../../../src/config/bot-catalog.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { loadIntentCatalog } from '../../../src/config/intent-catalog.ts';
import { loadDirectoryFile } from '../../../src/directory/directory-file.ts';

describe('environment', () => {
  it('defaults to the embedded setup', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, databaseUrl: undefined, dataDir: './data', timeZone: 'Asia/Shanghai', nlu: { mode: 'offline' } });
  });
  it('has database timeouts by default, each settable, 0 turning one off', () => {
    expect(loadConfig({}).dbTimeouts).toEqual({ connectMs: 5000, statementMs: 30_000, idleInTransactionMs: 60_000, queryMs: 35_000, startupMs: 10_000 });
    expect(loadConfig({
      DATABASE_CONNECT_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: '0', DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '5000', DATABASE_QUERY_TIMEOUT_MS: '2000',
      DATABASE_STARTUP_TIMEOUT_MS: '3000',
    }).dbTimeouts).toEqual({ connectMs: 1000, statementMs: 0, idleInTransactionMs: 5000, queryMs: 2000, startupMs: 3000 });
  });
  it.each([
    [{ PORT: 'abc' }, /^PORT: /],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must start with postgres:\/\//],
    [{ TIME_ZONE: 'Mars/Base' }, /^TIME_ZONE: unknown IANA time zone/],
    [{ NLU_MODE: 'llm' }, /^OPENAI_API_KEY: required when NLU_MODE=llm/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ DATABASE_STATEMENT_TIMEOUT_MS: '-1' }, /^DATABASE_STATEMENT_TIMEOUT_MS: /],
    [{ DATABASE_STATEMENT_TIMEOUT_MS: '30000', DATABASE_QUERY_TIMEOUT_MS: '20000' }, /^DATABASE_QUERY_TIMEOUT_MS: must be above DATABASE_STATEMENT_TIMEOUT_MS \(30000\), or 0$/],
  ])('%j fails with one line naming the variable', (env, re) => {
    expect(() => loadConfig(env)).toThrow(re);
  });
});

describe('intent catalog', () => {
  it('ships eight valid intents (one of them for documents made in the ERP)', () => {
    expect(loadIntentCatalog('intents').intents.map((i) => i.key).sort()).toEqual(
      ['contract_approval', 'erp_purchase_requisition', 'expense_claim', 'material_requisition', 'payment_request', 'purchase_request', 'status_query', 'travel_expense']);
  });
  it('names the file and the path of each error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-intents-'));
    writeFileSync(join(dir, 'bad_intent.yaml'), [
      'key: bad_intent', 'prefix: BAD', 'name: { zh: 坏, en: Bad }', 'description: { zh: 坏, en: Bad }', 'examples: { zh: [], en: [] }',
      'fields:', '  - { name: amount, type: money, label: { zh: 金额, en: Amount } }', '  - { name: kind, type: enum, label: { zh: 类, en: Kind } }',
      'route:', '  steps:', '    - name: { zh: 经理, en: Manager }', '      approvers: { rule: boss }',
      '    - name: { zh: 财务, en: Finance }', '      approvers: { rule: role, role: finance }', '      when: { field: budget, op: gt, value: 1 }',
    ].join('\n'));
    let message = '';
    try { loadIntentCatalog(dir); } catch (e: unknown) { message = e instanceof Error ? e.message : ''; }
    expect(message).toContain(`${join(dir, 'bad_intent.yaml')}: fields.1.options: enum fields need options`);
    expect(message).toContain(`${join(dir, 'bad_intent.yaml')}: route.steps.0.approvers.rule`);
  });
  it('cross-checks condition fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-intents-'));
    writeFileSync(join(dir, 'x.yaml'), [
      'key: x', 'prefix: XX', 'name: { zh: x, en: x }', 'description: { zh: x, en: x }', 'examples: { zh: [], en: [] }',
      'route:', '  steps:', '    - name: { zh: x, en: x }', '      approvers: { rule: manager }', '      when: { field: budget, op: gt, value: 1 }',
    ].join('\n'));
    expect(() => loadIntentCatalog(dir)).toThrow(/x\.yaml: route\.steps\.0\.when: unknown field "budget"/);
  });
  it('says what a condition looks like when one is malformed (an unknown op)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-intents-'));
    writeFileSync(join(dir, 'x.yaml'), [
      'key: x', 'prefix: XX', 'name: { zh: x, en: x }', 'description: { zh: x, en: x }', 'examples: { zh: [], en: [] }',
      'fields:', '  - { name: amount, type: money, label: { zh: 金额, en: Amount } }',
      'route:', '  steps:', '    - name: { zh: x, en: x }', '      approvers: { rule: manager }', '      when: { field: amount, op: bigger, value: 1 }',
    ].join('\n'));
    expect(() => loadIntentCatalog(dir)).toThrow(/x\.yaml: route\.steps\.0\.when: a condition is \{ field, op: gt \| gte \| lt \| lte \| eq \| ne \| in, value \}/);
  });
});

describe('bots', () => {
  it('refuse secrets written as values and unknown intents', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-bots-'));
    writeFileSync(join(dir, 'f.yaml'), 'id: f\nplatform: feishu\nintents: [nope]\ncredentials: { app_id: cli_a1b2c3, app_secret: FEISHU_APP_SECRET }\n');
    const catalog = loadIntentCatalog('intents');
    expect(() => loadBots(dir, catalog)).toThrow(/f\.yaml: credentials\.app_id: an environment variable NAME/);
  });
  it('refuse a Feishu webhook bot without a verification token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-bots-'));
    writeFileSync(join(dir, 'w.yaml'), 'id: w\nplatform: feishu\ntransport: webhook\ncredentials: { app_id: FEISHU_APP_ID, app_secret: FEISHU_APP_SECRET }\n');
    expect(() => loadBots(dir, loadIntentCatalog('intents'))).toThrow(/w\.yaml: credentials\.verification_token: required for the webhook transport/);
  });
  it('refuse an ERP connector this build does not have', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-bots-'));
    writeFileSync(join(dir, 'c.yaml'), 'id: c\nplatform: console\nerp: sap-prod\n');
    expect(() => loadBots(dir, loadIntentCatalog('intents'))).toThrow(/c\.yaml: erp: unknown ERP connector "sap-prod" \(available: sandbox;/);
  });
});

describe('config directories and files', () => {
  it('a missing directory or file is one line naming the setting or the file', () => {
    expect(() => loadIntentCatalog('/nonexistent/intents')).toThrow(/^INTENTS_DIR: no directory "\/nonexistent\/intents"$/);
    expect(() => loadBots('/nonexistent/bots', loadIntentCatalog('intents'))).toThrow(/^BOTS_DIR: no directory "\/nonexistent\/bots"$/);
    expect(() => loadDirectoryFile('/nonexistent/directory.yaml')).toThrow(/^\/nonexistent\/directory\.yaml: no such file$/);
  });
});

describe('npm run check:config', () => {
  it('refuses an enabled bot whose credential variables are not set, as boot does, and passes once they are', async () => {
    const { spawnSync } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'aa-bots-'));
    writeFileSync(join(dir, 'console.yaml'), readFileSync('bots/console.yaml', 'utf8'));
    writeFileSync(join(dir, 'feishu.yaml'), readFileSync('bots/examples/feishu.yaml', 'utf8').replace('enabled: false', 'enabled: true'));
    const run = (extra: Record<string, string>) => {
      const env: NodeJS.ProcessEnv = { ...process.env, BOTS_DIR: dir, ...extra };
      for (const k of ['FEISHU_APP_ID', 'FEISHU_APP_SECRET', 'FEISHU_ENCRYPT_KEY', 'FEISHU_VERIFICATION_TOKEN']) if (!(k in extra)) delete env[k];
      return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/check-config.ts'], { env, encoding: 'utf8', timeout: 30_000 });
    };
    const refused = run({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's' });
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([
      'bot "feishu": credentials.encrypt_key: environment variable FEISHU_ENCRYPT_KEY is not set',
    ]);
    const ok = run({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's', FEISHU_ENCRYPT_KEY: 'k', FEISHU_VERIFICATION_TOKEN: 't' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, bots: ['console (console)', 'feishu (feishu)'] });
  }, 60_000);
});
