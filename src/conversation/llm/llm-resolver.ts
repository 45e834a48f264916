import { performance } from 'node:perf_hooks';
import type OpenAI from 'openai';
import type { IntentCatalog } from '../../config/intent-catalog.ts';
import { isInjectionAttempt } from '../classifier/guard-cues.ts';
import type { OfflineResolver } from '../offline-resolver.ts';
import type { IntentResolver, Resolution, ResolveContext } from '../resolver.ts';
import { buildMessages, catalogSummary, promptChars } from './llm-prompt.ts';
import { parseReplyJson, replyToCommands } from './llm-reply.ts';
import { fallbackReason, type FallbackReason } from './llm-fallback.ts';
import { buildTool, TOOL_NAME, type ToolDefinition } from './llm-tool-schema.ts';

/**
 * Resolver backed by any OpenAI-compatible chat completions endpoint: one request per turn with a
 * forced function call. The reply is validated and normalized (llm-reply.ts); a timeout, an error
 * or an unusable reply falls back to the offline resolver and is logged. Authorization never
 * depends on it: there is no approve command to propose.
 */
export interface LlmSettings { baseUrl: string; apiKey: string; model: string; timeoutMs: number }
export interface LlmTurnStats {
  promptChars: number;
  latencyMs: number;
  outcome: 'ok' | 'repaired' | 'fallback' | 'blocked';
  /** Why a turn fell back to offline (fallback only). */
  reason?: FallbackReason;
  /** Tokens the endpoint reported for this call (absent when it reported none, or never answered). */
  tokens?: { prompt: number; completion: number };
}
export interface LlmResolverOptions {
  catalog: IntentCatalog;
  openai: LlmSettings;
  offline: OfflineResolver;
  logger?: { warn(obj: object, msg: string): void };
  onStats?: (s: LlmTurnStats) => void;
}

export class LlmResolver implements IntentResolver {
  /** Characters sent in the last request (system + user); 0 before the first call. */
  lastPromptChars = 0;
  /** The SDK is loaded by the first turn that asks the model: a process in offline mode never loads it (about 12 MB). */
  private client: Promise<OpenAI> | undefined;
  private readonly tools = new WeakMap<IntentCatalog, { tool: ToolDefinition; summary: string }>();

  constructor(private readonly opts: LlmResolverOptions) {}

  private openai(): Promise<OpenAI> {
    const { apiKey, baseUrl, timeoutMs } = this.opts.openai;
    this.client ??= import('openai').then(({ default: OpenAI }) => new OpenAI({ apiKey: apiKey || 'unset', baseURL: baseUrl, timeout: timeoutMs, maxRetries: 0 }));
    return this.client;
  }

  private toolFor(catalog: IntentCatalog): { tool: ToolDefinition; summary: string } {
    let t = this.tools.get(catalog);
    if (!t) {
      t = { tool: buildTool(catalog), summary: catalogSummary(catalog) };
      this.tools.set(catalog, t);
    }
    return t;
  }

  async resolve(text: string, ctx: ResolveContext): Promise<Resolution> {
    // Latency is a duration, not a business time: the monotonic clock.
    const started = performance.now();
    let tokens: LlmTurnStats['tokens'];
    const report = (outcome: LlmTurnStats['outcome'], chars: number, reason?: FallbackReason): void => {
      this.opts.onStats?.({ promptChars: chars, latencyMs: performance.now() - started, outcome, ...(reason ? { reason } : {}), ...(tokens ? { tokens } : {}) });
    };
    if (text.trim() === '' || isInjectionAttempt(text)) {
      report('blocked', 0);
      return this.opts.offline.resolveSync(text, ctx);
    }
    const { tool, summary } = this.toolFor(ctx.catalog);
    const messages = buildMessages(text, ctx, summary);
    const chars = promptChars(messages);
    this.lastPromptChars = chars;
    try {
      const completion = await (await this.openai()).chat.completions.create({
        model: this.opts.openai.model,
        messages,
        tools: [tool],
        tool_choice: { type: 'function', function: { name: TOOL_NAME } },
        temperature: 0,
      }, { timeout: this.opts.openai.timeoutMs, maxRetries: 0 });
      if (completion.usage) tokens = { prompt: completion.usage.prompt_tokens, completion: completion.usage.completion_tokens };
      const message = completion.choices[0]?.message;
      const call = message?.tool_calls?.find((c) => c.type === 'function');
      // Only our one function's arguments are a reply; a call to any other name is not ours to read.
      if (call && call.type === 'function' && call.function.name !== TOOL_NAME) throw new Error(`the model called an unknown function "${call.function.name.slice(0, 64)}"`);
      const raw = call && call.type === 'function' ? call.function.arguments : message?.content ?? '';
      const reply = parseReplyJson(raw);
      const outcome = reply ? replyToCommands(reply, ctx, ctx.catalog) : null;
      if (!outcome) throw new Error(`unusable reply: ${raw.slice(0, 200)}`);
      if (outcome.dropped.length) this.opts.logger?.warn({ dropped: outcome.dropped }, 'llm resolver: dropped invalid parts of the reply');
      report(outcome.dropped.length ? 'repaired' : 'ok', chars);
      return { commands: outcome.commands, confidence: outcome.dropped.length ? 0.7 : 0.85, source: 'llm' };
    } catch (e: unknown) {
      // At warn, with the reason: a deployment with a wrong key or an unreachable endpoint shows in its logs, not only in worse answers.
      const reason = fallbackReason(e);
      this.opts.logger?.warn({ reason, err: e instanceof Error ? e.message : String(e), model: this.opts.openai.model }, `llm resolver failed (${reason}); using the offline result`);
      report('fallback', chars, reason);
      return this.opts.offline.resolveSync(text, ctx);
    }
  }
}
