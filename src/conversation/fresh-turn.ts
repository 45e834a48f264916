import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Command } from './commands.ts';
import type { Classification } from './classifier/intent-classifier.ts';
import { parseCorrection } from './correction-parser.ts';
import type { Resolution } from './resolver.ts';
import { extractSlots } from './slot-extractor.ts';
import type { TextFindings } from './text-findings.ts';

/**
 * A message outside any form: start the intent and fill every slot found, or answer a status
 * question, or show help. Prompt injection and anything unrecognized resolve to none.
 */
export function resolveFreshTurn(c: Classification, findings: TextFindings, catalog: IntentCatalog, text?: string): Resolution {
  if (text !== undefined && isStrayCorrection(text, c)) return { commands: [{ type: 'nothing_to_correct' }], confidence: 0.95, source: 'offline' };
  switch (c.kind) {
    case 'blocked':
      return { commands: [{ type: 'none' }], confidence: 1, source: 'offline' };
    case 'help':
      return { commands: [{ type: 'help' }], confidence: c.confidence, source: 'offline' };
    case 'status':
      return {
        commands: [{ type: 'status_query', ...(c.intent ? { filters: { intent: c.intent } } : {}) }],
        confidence: c.confidence,
        source: 'offline',
      };
    case 'none':
      return { commands: [{ type: 'none' }], confidence: c.confidence, source: 'offline' };
    case 'form': {
      const def = c.intent ? catalog.get(c.intent) : undefined;
      if (!def) return { commands: [{ type: 'none' }], confidence: 0.2, source: 'offline' };
      const slots = extractSlots(def, findings);
      const commands: Command[] = [
        { type: 'start_intent', intent: def.key },
        ...Object.entries(slots).map(([field, value]): Command => ({ type: 'set_field', field, value })),
      ];
      return { commands, confidence: c.confidence, source: 'offline' };
    }
  }
}

/**
 * "金额改成3000", "the date should be yesterday" with no draft open: a correction of something, not a
 * request. It names no kind of request (no intent keyword), so starting whichever form its field word
 * resembles would only confuse; "采购数量改成20台笔记本" names one and still starts it.
 */
function isStrayCorrection(text: string, c: Classification): boolean {
  if (c.kind === 'blocked' || c.kind === 'status' || c.kind === 'help') return false;
  if (!parseCorrection(text)) return false;
  return (c.ranked[0]?.keywordHits ?? 0) === 0;
}
