import { describe, expect, it } from 'vitest';
import { fallbackReason } from '../../../src/conversation/llm/llm-fallback.ts';
import { buildMessages, catalogSummary } from '../../../src/conversation/llm/llm-prompt.ts';
import { catalog } from './catalog-fixture.ts';

describe('why an LLM turn fell back', () => {
  it.each<[unknown, string]>([
    [Object.assign(new Error('401 Incorrect API key provided'), { status: 401 }), 'auth'],
    [Object.assign(new Error('403'), { status: 403 }), 'forbidden'],
    [Object.assign(new Error('404 model not found'), { status: 404 }), 'not_found'],
    [Object.assign(new Error('429 quota'), { status: 429 }), 'rate_limited'],
    [Object.assign(new Error('503'), { status: 503 }), 'server_error'],
    [Object.assign(new Error('400'), { status: 400 }), 'bad_request'],
    [Object.assign(new Error('Request timed out.'), { name: 'APIConnectionTimeoutError' }), 'timeout'],
    [Object.assign(new Error('Connection error.'), { name: 'APIConnectionError' }), 'network'],
    [new Error('unusable reply: {}'), 'bad_reply'],
  ])('%s → %s', (e, reason) => {
    expect(fallbackReason(e)).toBe(reason);
  });
});

describe('the prompt carries the offline semantics', () => {
  it('status questions about posting and payment are status queries; a negated kind is not the intent', () => {
    const [system] = buildMessages('x', { now: new Date('2026-12-04T02:00:00Z'), timeZone: 'Asia/Shanghai', locale: 'en', dialog: null, catalog }, catalogSummary(catalog));
    expect(system?.content).toMatch(/status_query, never start_intent/);
    expect(system?.content).toMatch(/入账.*记账.*过账/);
    expect(system?.content).toMatch(/paid.*打款.*到账/);
    expect(system?.content).toMatch(/negated kind is not the intent/);
    expect(system?.content).toMatch(/instead of X/);
  });
});
