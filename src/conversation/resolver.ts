import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Command } from './commands.ts';

import type { Locale } from '../core/locale.ts';

/** What the resolver may know about the dialog in progress (never approvals or permissions). */
export interface DialogSnapshot {
  intent: string;
  fields: Record<string, unknown>;
  /** The field the bot last asked for, if any: a bare answer ("3000") fills it. */
  awaiting: string | null;
}

export interface ResolveContext {
  now: Date;
  timeZone: string;
  locale: Locale;
  dialog: DialogSnapshot | null;
  catalog: IntentCatalog;
}

export interface Resolution {
  commands: Command[];
  /** 0..1: how sure the resolver is about the intent/commands. Hybrid mode escalates when low. */
  confidence: number;
  /** Which resolver produced the answer (hybrid reports the one used). */
  source: 'offline' | 'llm' | 'command';
}

/**
 * Port: turns one user message into commands. Implementations: offline (catalog scoring +
 * deterministic extractors), LLM (OpenAI-compatible), hybrid. Must not throw for ordinary input;
 * an unusable message resolves to `{ commands: [{ type: 'none' }] }`.
 */
export interface IntentResolver {
  resolve(text: string, ctx: ResolveContext): Promise<Resolution>;
}
