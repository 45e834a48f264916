import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/create-app.ts';
import { fieldNames } from '../../src/conversation/llm/llm-tool-schema.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { ConsoleClient } from '../support/console-client.ts';
import { startApp } from '../support/start-app.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { startFakeOpenAi, type FakeOpenAiServer } from '../fakes/openai-server.ts';
import { idle, turn } from '../support/nlu-console-kit.ts';

/**
 * LLM mode is visible from outside: /metrics counts calls, fallbacks by reason, latency and tokens, and a
 * fallback to offline is a warn line with its reason. A deployment with a wrong key (the fake answers 401
 * invalid_api_key, as OpenAI does) keeps working offline, and says so.
 */
const NOW = new Date('2026-12-04T02:00:00Z');
let fake: FakeOpenAiServer;
let wrongDb: TestDb;
let rightDb: TestDb;
let wrongKeyApp: App;
let rightKeyApp: App;
const lines: Record<string, unknown>[] = [];

function capturingLogger(): pino.Logger {
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>); done(); } });
  return pino({ level: 'warn' }, sink);
}

const metricValue = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : 0;
};

beforeAll(async () => {
  fake = await startFakeOpenAi({ apiKey: 'sk-right' });
  [wrongDb, rightDb] = await Promise.all([createTestDb(), createTestDb()]);
  wrongKeyApp = await startApp({ db: wrongDb.handle, clock: fixedClock(NOW), logger: capturingLogger(), env: { NLU_MODE: 'llm', OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-wrong' } });
  rightKeyApp = await startApp({ db: rightDb.handle, clock: fixedClock(NOW), env: { NLU_MODE: 'llm', OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-right', LOG_LEVEL: 'error' } });
});
afterAll(async () => {
  await Promise.all([wrongKeyApp.stop(), rightKeyApp.stop()]);
  await Promise.all([wrongDb.drop(), rightDb.drop(), fake.close()]);
});

describe('LLM observability', () => {
  it('a wrong key: the turn is answered offline, the fallback is counted with reason auth and logged at warn', async () => {
    const cc = new ConsoleClient(wrongKeyApp);
    const t = await turn(cc, 'zhangsan', '报销停车费 45 元');
    // Answered all the same, by the offline resolver: a draft of the claim with its amount.
    await t.waitFor((m) => m.kind === 'card');
    await idle(wrongKeyApp, cc, 'zhangsan');
    expect(fake.requests.some((r) => r.headers.authorization === 'Bearer sk-wrong')).toBe(true);
    const metrics = await (await wrongKeyApp.http.request('/metrics')).text();
    expect(metricValue(metrics, 'llm_fallbacks_total{reason="auth"}')).toBe(1);
    expect(metricValue(metrics, 'llm_calls_total{outcome="fallback"}')).toBe(1);
    expect(metricValue(metrics, 'llm_call_duration_seconds_count')).toBe(1);
    expect(metricValue(metrics, 'llm_tokens_total{kind="prompt"}')).toBe(0);
    const warn = lines.find((l) => l.level === 40 && String(l.msg).includes('llm resolver failed'));
    expect(warn).toMatchObject({ reason: 'auth' });
    expect(String(warn?.err)).toMatch(/401/);
  });

  it('the right key: the call is counted ok with its latency and the tokens the endpoint reported', async () => {
    const fields = Object.fromEntries(fieldNames(rightKeyApp.catalog).map((n) => [n, null]));
    fake.script({ kind: 'tool', args: { action: 'start_intent', intent: 'expense_claim', fields: { ...fields, amount: '45' } } });
    const cc = new ConsoleClient(rightKeyApp);
    const t = await turn(cc, 'zhangsan', '报销停车费 45 元');
    await t.text(/费用报销/);
    await idle(rightKeyApp, cc, 'zhangsan');
    const metrics = await (await rightKeyApp.http.request('/metrics')).text();
    expect(metricValue(metrics, 'llm_calls_total{outcome="ok"}')).toBe(1);
    expect(metricValue(metrics, 'llm_fallbacks_total{reason="auth"}')).toBe(0);
    expect(metricValue(metrics, 'llm_call_duration_seconds_count')).toBe(1);
    expect(metricValue(metrics, 'llm_tokens_total{kind="prompt"}')).toBeGreaterThan(0);
    expect(metricValue(metrics, 'llm_tokens_total{kind="completion"}')).toBeGreaterThan(0);
  });
});
