import type { LlmTurnStats } from '../conversation/llm/llm-resolver.ts';
import type { Metrics } from '../observability/metrics.ts';

/** One LLM turn into /metrics. Blocked turns (an injection, an empty text) never called the model: counted, not timed. */
export function recordLlmTurn(metrics: Metrics, s: LlmTurnStats): void {
  metrics.llmCalls.inc({ outcome: s.outcome });
  if (s.outcome === 'blocked') return;
  metrics.llmLatency.observe(s.latencyMs / 1000);
  if (s.outcome === 'fallback') metrics.llmFallbacks.inc({ reason: s.reason ?? 'bad_reply' });
  if (s.tokens) {
    metrics.llmTokens.inc({ kind: 'prompt' }, s.tokens.prompt);
    metrics.llmTokens.inc({ kind: 'completion' }, s.tokens.completion);
  }
}
