import { z } from 'zod';
import type { IntentCatalog } from '../../config/intent-catalog.ts';
import type { IntentDefinition } from '../../config/intent-schema.ts';
import type { Command } from '../commands.ts';
import { coerceFieldValue } from '../field-coercion.ts';
import type { ResolveContext } from '../resolver.ts';
import { ACTIONS } from './llm-tool-schema.ts';

/**
 * The model's reply is a proposal, never trusted: parsed leniently (code fences, text around the
 * JSON), checked against the catalog, every value normalized by our coercion. Unknown intents
 * and fields are dropped; a value that does not coerce is dropped. Null = unusable reply.
 */
const replySchema = z.object({
  action: z.enum(ACTIONS),
  intent: z.string().nullable().optional(),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).nullable().optional(),
});
export type LlmReply = z.infer<typeof replySchema>;

export interface ReplyOutcome {
  commands: Command[];
  dropped: string[];
}

export function parseReplyJson(raw: string): LlmReply | null {
  const body = raw.replace(/^\s*```(?:json)?/i, '').replace(/```\s*$/, '');
  const start = body.indexOf('{');
  const end = body.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    const parsed = replySchema.safeParse(JSON.parse(body.slice(start, end + 1)));
    return parsed.success ? parsed.data : null;
  } catch (e: unknown) {
    if (e instanceof SyntaxError) return null;
    throw e;
  }
}

export function replyToCommands(reply: LlmReply, ctx: ResolveContext, catalog: IntentCatalog): ReplyOutcome | null {
  const dropped: string[] = [];
  const known = reply.intent ? catalog.get(reply.intent) : undefined;
  if (reply.intent && !known) dropped.push(`intent:${reply.intent}`);
  switch (reply.action) {
    case 'confirm': {
      // A confirm is only the model's reading of the turn: the dialog acts on it only when the person's own
      // words are a confirm (confirm-gate.ts). Values it gives with it are corrections of the open draft,
      // which the refreshed card shows before anything is submitted.
      const open = ctx.dialog && catalog.get(ctx.dialog.intent);
      if (!open) return { commands: [{ type: 'none' }], dropped };
      return { commands: [...fieldCommands(open, reply, ctx, dropped), { type: 'confirm' }], dropped };
    }
    case 'cancel': return { commands: [{ type: 'cancel' }], dropped };
    case 'help': return { commands: [{ type: 'help' }], dropped };
    case 'none': return { commands: [{ type: 'none' }], dropped };
    case 'status_query': {
      const about = known && known.kind === 'form' ? { filters: { intent: known.key } } : {};
      return { commands: [{ type: 'status_query', ...about }], dropped };
    }
    case 'start_intent':
    case 'set_fields': {
      const starting = reply.action === 'start_intent' && known?.kind === 'form' && known.key !== ctx.dialog?.intent;
      const target = starting ? known : ctx.dialog ? catalog.get(ctx.dialog.intent) : known?.kind === 'form' ? known : undefined;
      if (!target) return reply.action === 'start_intent' ? null : { commands: [{ type: 'none' }], dropped };
      const commands: Command[] = starting || !ctx.dialog ? [{ type: 'start_intent', intent: target.key }] : [];
      commands.push(...fieldCommands(target, reply, ctx, dropped));
      return commands.length ? { commands, dropped } : { commands: [{ type: 'none' }], dropped };
    }
  }
}

/** The reply's field values for `target`, each checked against its field and normalized; the rest noted in `dropped`. */
function fieldCommands(target: IntentDefinition, reply: LlmReply, ctx: ResolveContext, dropped: string[]): Command[] {
  const commands: Command[] = [];
  for (const [name, raw] of Object.entries(reply.fields ?? {})) {
    if (raw === null || raw === '') continue;
    const field = target.fields.find((f) => f.name === name);
    if (!field) { dropped.push(`field:${name}`); continue; }
    const coerced = coerceFieldValue(field, raw, ctx);
    if (coerced.ok) commands.push({ type: 'set_field', field: name, value: coerced.value });
    else dropped.push(`value:${name}`);
  }
  return commands;
}
