import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver } from '../../../src/conversation/create-resolver.ts';
import type { ResolveContext } from '../../../src/conversation/resolver.ts';
import { buildTool, TOOL_NAME } from '../../../src/conversation/llm/llm-tool-schema.ts';
import { startFakeOpenAi, type FakeOpenAiServer } from '../../fakes/openai-server.ts';
import { catalog } from './catalog-fixture.ts';

/**
 * The fake refuses what OpenAI refuses, through the real SDK, so a test that passes against it would pass against
 * the API. And our own tool schema is one the API accepts.
 */
describe('the OpenAI fake is as strict as the API', () => {
  let fake: FakeOpenAiServer;
  beforeAll(async () => { fake = await startFakeOpenAi({ apiKey: 'sk-right' }); });
  afterAll(async () => { await fake.close(); });

  const client = (apiKey: string): OpenAI => new OpenAI({ apiKey, baseURL: fake.baseUrl, maxRetries: 0 });
  const call = (apiKey: string, parameters: Record<string, unknown>, name = 'f') => client(apiKey).chat.completions.create({
    model: 'm', messages: [{ role: 'user', content: 'hi' }],
    tools: [{ type: 'function', function: { name, strict: true, parameters } }],
    tool_choice: { type: 'function', function: { name } },
  });
  const ok = { type: 'object', additionalProperties: false, required: ['a'], properties: { a: { type: ['string', 'null'] } } };

  it('answers a valid request with a call to the forced function', async () => {
    fake.script({ kind: 'tool', args: { a: 'x' } });
    const r = await call('sk-right', ok);
    const tc = r.choices[0]?.message.tool_calls?.[0];
    expect(tc?.type === 'function' ? tc.function.name : '').toBe('f');
  });

  it.each([
    ['a wrong key', 'sk-wrong', ok, 'f', 401, 'invalid_api_key'],
    ['a property left out of required', 'sk-right', { ...ok, required: [] }, 'f', 400, 'invalid_function_parameters'],
    ['an object without additionalProperties: false', 'sk-right', { type: 'object', required: ['a'], properties: { a: { type: 'string' } } }, 'f', 400, 'invalid_function_parameters'],
    ['a nested object that allows extra keys', 'sk-right', { ...ok, required: ['o'], properties: { o: { type: 'object', properties: {}, required: [] } } }, 'f', 400, 'invalid_function_parameters'],
    ['an unsupported keyword', 'sk-right', { ...ok, allOf: [] }, 'f', 400, 'invalid_function_parameters'],
    ['a root that is not an object', 'sk-right', { type: 'string' }, 'f', 400, 'invalid_function_parameters'],
    ['a function name with a dot', 'sk-right', ok, 'resolve.turn', 400, 'invalid_value'],
  ])('refuses %s', async (_name, key, params, fn, status, code) => {
    const err = await call(key, params, fn).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect([(err as InstanceType<typeof OpenAI.APIError>).status, (err as InstanceType<typeof OpenAI.APIError>).code]).toEqual([status, code]);
  });

  it('refuses a request without a bearer key', async () => {
    const res = await fetch(`${fake.baseUrl}/chat/completions`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(401);
  });

  it('our tool schema, built from the shipped catalog, passes the strict rules', async () => {
    const tool = buildTool(catalog);
    fake.script({ kind: 'tool', args: {} });
    await expect(call('sk-right', tool.function.parameters, TOOL_NAME)).resolves.toBeDefined();
  });

  it('the resolver does not read a call to a function it did not offer', async () => {
    const resolver = createResolver({ mode: 'llm', catalog, openai: { baseUrl: fake.baseUrl, apiKey: 'sk-right', model: 'm', timeoutMs: 1000 } });
    const ctx: ResolveContext = { now: new Date('2031-02-28T10:00:00+08:00'), timeZone: 'Asia/Shanghai', locale: 'zh', dialog: null, catalog };
    fake.script({ kind: 'tool', name: 'approve_all', args: { action: 'status_query', intent: null, fields: {} } });
    expect((await resolver.resolve('查一下我的申请', ctx)).source).toBe('offline');
    fake.script({ kind: 'tool', args: { action: 'status_query', intent: null, fields: {} } });
    expect((await resolver.resolve('查一下我的申请', ctx)).source).toBe('llm');
  });

  it('the resolver with a wrong key falls back, and the contract would notice', async () => {
    const resolver = createResolver({ mode: 'llm', catalog, openai: { baseUrl: fake.baseUrl, apiKey: 'sk-other', model: 'm', timeoutMs: 1000 } });
    const before = fake.completions;
    const r = await resolver.resolve('查一下我的申请', { now: new Date('2031-02-28T10:00:00+08:00'), timeZone: 'Asia/Shanghai', locale: 'zh', dialog: null, catalog });
    expect([r.source, fake.completions - before]).toEqual(['offline', 0]);
  });
});
