import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Command } from './commands.ts';
import type { Classification } from './classifier/intent-classifier.ts';
import { parseCorrection } from './correction-parser.ts';
import { findNamedField } from './field-aliases.ts';
import type { Resolution } from './resolver.ts';
import { extractSlots } from './slot-extractor.ts';
import type { TextFindings } from './text-findings.ts';

/**
 * A message outside any form: start the intent and fill every slot found, or answer a status
 * question, or show help. Prompt injection and anything unrecognized resolve to none.
 */
export function resolveFreshTurn(c: Classification, findings: TextFindings, catalog: IntentCatalog, text?: string): Resolution {
  if (text !== undefined && isStrayCorrection(text, c, catalog)) return { commands: [{ type: 'nothing_to_correct' }], confidence: 0.9, source: 'offline' };
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

/** A question about a field ("审批人应该是谁", "who should approve this?") is not a correction of it. */
const QUESTION = /[?？]|谁|什么|哪|吗|多少|几[个天号]|\b(?:who|what|which|when|where|how|why)\b/i;
/** Words that start a request ("帮我把显示器换成27寸的，买3台", "actually I need 20 laptops"). */
const ASKING = /帮我|我要|我想|需要|想要|要买|买|申请|提交|报销|采购|购买|\bi (?:need|want)\b|\bi'?d like\b|\bwe need\b|\bplease\b|\bget\b|\border\b/i;
/** A bare new value with no field named ("actually it was 2800", "make it 5000", "其实是昨天"). */
const BARE_VALUE = /^(?:[¥$￥]?\s*[\d.,]+\s*(?:元|块|万|千|k|yuan|rmb|cny)?|[一二三四五六七八九十百千万两零]+(?:元|块|万)?|昨天|今天|明天|前天|后天|(?:上|下|这)(?:周|星期)[一二三四五六日天]|\d{1,2}月\d{1,2}[日号]?|yesterday|today|tomorrow|(?:last|next|this)\s+\w+)$/i;

/**
 * "金额改成3000", "the date should be yesterday" with no draft open: the correction of a field, not a
 * request. Only the plain form counts: a field of some intent named in a few words (or no field and a
 * bare value), one short value, no intent keyword, no question, no "I need / 帮我 / 买". Anything more
 * ("其实是想买一台投影仪", "No, 20 laptops please") is a request and is understood as one.
 */
function isStrayCorrection(text: string, c: Classification, catalog: IntentCatalog): boolean {
  if (c.kind === 'blocked' || c.kind === 'status' || c.kind === 'help') return false;
  if ((c.ranked[0]?.keywordHits ?? 0) > 0 || QUESTION.test(text) || ASKING.test(text)) return false;
  const corr = parseCorrection(text);
  if (!corr) return false;
  const value = corr.value.trim();
  if (value.length > 16 || /[,，;；、]/.test(value)) return false;
  const phrase = corr.fieldPhrase.trim().replace(/^(?:the|my)\s+/i, '');
  if (phrase === '' || /^(?:it|that|this)$/i.test(phrase)) return BARE_VALUE.test(value);
  if (phrase.length > 12 || phrase.split(/\s+/).length > 3) return false;
  return catalog.chatIntents.some((intent) => findNamedField(intent, phrase) !== null);
}
