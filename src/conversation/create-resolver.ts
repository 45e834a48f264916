import type { IntentCatalog } from '../config/intent-catalog.ts';
import { HybridResolver } from './hybrid-resolver.ts';
import { LlmResolver, type LlmSettings, type LlmTurnStats } from './llm/llm-resolver.ts';
import { OfflineResolver } from './offline-resolver.ts';
import type { IntentResolver } from './resolver.ts';

/**
 * Picks the resolver for NLU_MODE. offline: no network. llm: every turn through the model, offline
 * on failure. hybrid: offline first, the model only when offline is unsure or incomplete.
 */
export type ResolverMode = 'offline' | 'llm' | 'hybrid';
export interface ResolverLogger { warn(obj: object, msg: string): void }
export type OpenAiSettings = LlmSettings;

export interface ResolverConfig {
  mode: ResolverMode;
  catalog: IntentCatalog;
  openai?: OpenAiSettings;
  logger?: ResolverLogger;
  /** Per LLM turn: prompt size in characters, latency, outcome. */
  onLlmStats?: (s: LlmTurnStats) => void;
}

export function createResolver(cfg: ResolverConfig): IntentResolver {
  const offline = new OfflineResolver(cfg.catalog);
  if (cfg.mode === 'offline') return offline;
  if (!cfg.openai) throw new Error(`NLU mode ${cfg.mode} needs OpenAI settings (baseUrl, apiKey, model, timeoutMs)`);
  const llm = new LlmResolver({
    catalog: cfg.catalog, openai: cfg.openai, offline,
    ...(cfg.logger ? { logger: cfg.logger } : {}),
    ...(cfg.onLlmStats ? { onStats: cfg.onLlmStats } : {}),
  });
  return cfg.mode === 'llm' ? llm : new HybridResolver(offline, llm);
}
