import type { Command } from './commands.ts';
import type { LlmResolver } from './llm/llm-resolver.ts';
import type { OfflineResolver } from './offline-resolver.ts';
import type { IntentResolver, Resolution, ResolveContext } from './resolver.ts';

/**
 * Offline first; the LLM only when the offline answer is unsure (low confidence, nothing
 * understood) or leaves required fields of the started intent empty. Certain answers (cancel,
 * confirm, help, a blocked injection) never reach the model. Offline slots fill what the LLM left out.
 */
const SURE = 0.75;

function requiredMissing(r: Resolution, ctx: ResolveContext): boolean {
  const start = r.commands.find((c): c is Extract<Command, { type: 'start_intent' }> => c.type === 'start_intent');
  const def = start ? ctx.catalog.get(start.intent) : undefined;
  if (!def) return false;
  const set = new Set(r.commands.flatMap((c) => (c.type === 'set_field' ? [c.field] : [])));
  return def.fields.some((f) => f.required && f.default === undefined && !set.has(f.name));
}

function needsLlm(r: Resolution, ctx: ResolveContext): boolean {
  const kinds = new Set(r.commands.map((c) => c.type));
  if (kinds.has('cancel') || kinds.has('confirm') || kinds.has('help')) return false;
  if (kinds.has('none')) return r.confidence < 0.95;
  return r.confidence < SURE || requiredMissing(r, ctx);
}

function merge(llm: Resolution, offline: Resolution): Resolution {
  const intentOf = (r: Resolution): string | undefined => {
    for (const c of r.commands) if (c.type === 'start_intent') return c.intent;
    return undefined;
  };
  const intent = intentOf(llm);
  if (llm.source !== 'llm' || intent === undefined || intent !== intentOf(offline)) return llm;
  const have = new Set(llm.commands.flatMap((c) => (c.type === 'set_field' ? [c.field] : [])));
  const extra = offline.commands.filter((c) => c.type === 'set_field' && !have.has(c.field));
  return { ...llm, commands: [...llm.commands.filter((c) => c.type !== 'none'), ...extra] };
}

export class HybridResolver implements IntentResolver {
  constructor(private readonly offline: OfflineResolver, private readonly llm: LlmResolver) {}

  async resolve(text: string, ctx: ResolveContext): Promise<Resolution> {
    const first = this.offline.resolveSync(text, ctx);
    if (!needsLlm(first, ctx)) return first;
    return merge(await this.llm.resolve(text, ctx), first);
  }
}
