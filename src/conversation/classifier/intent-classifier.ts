import type { IntentCatalog } from '../../config/intent-catalog.ts';
import type { IntentDefinition } from '../../config/intent-schema.ts';
import { Bm25Index } from './bm25-index.ts';
import { isBookingRequest, isGreetingOrHelp, isInjectionAttempt } from './guard-cues.ts';
import { COMMON_ENGLISH } from './common-words.ts';
import { KeywordMatcher } from './keyword-matcher.ts';
import { maskSpans, negatedSpans, spanText } from './negation-scope.ts';
import { questionForm } from './status-cues.ts';
import { tokenize } from './tokenizer.ts';
import { TypoTolerance } from './typo-tolerance.ts';

/**
 * Offline intent classification from the catalog alone: BM25 over each intent's examples, keywords,
 * names, description and enum synonyms, plus a bonus per catalog keyword found in the message.
 * Before scoring, likely typos of catalog keywords are rewritten (typo-tolerance.ts) and negated
 * stretches ("不算差旅", "not a contract") are masked: an intent named only to be ruled out is not a
 * candidate (negation-scope.ts). The status intent is scored like the others; a question about
 * progress (status-cues.ts) or a request number of the catalog's prefixes also makes it a status
 * question. Guards run first (prompt injection → blocked, greeting → help); a form intent needs
 * keyword evidence or a clear text match, otherwise the answer is none (the bot shows help).
 */
export type ClassificationKind = 'form' | 'status' | 'help' | 'blocked' | 'none';

export interface Classification {
  kind: ClassificationKind;
  /** The form intent (kind form), or the intent a status question is about. */
  intent: string | null;
  confidence: number;
  /** Form intents only, best first. */
  ranked: { intent: string; score: number; keywordHits: number }[];
}

const KEYWORD_WEIGHT = 4;
/** Single Han characters are weak evidence (天 in 今天天气); words and bigrams carry the meaning. */
const UNIGRAM_WEIGHT = 0.4;
const MIN_TEXT_SCORE = 4.5;
const STRONG_SCORE = 9;
/** A field reference such as "合同号HT-1" or "contract no. X" names a field, not the intent. */
const FIELD_REFERENCES = /(合同号|合同编号|合同编码|contract\s*(no\.?|number|#))\s*[:：#是为]?\s*[A-Za-z0-9\-_/]*/gi;

function documentTokens(def: IntentDefinition): string[] {
  const parts: string[] = [...def.examples.zh, ...def.examples.en];
  for (let i = 0; i < 3; i += 1) parts.push(...def.keywords.zh, ...def.keywords.en);
  parts.push(def.name.zh, def.name.en, def.name.zh, def.name.en, def.description.zh, def.description.en);
  for (const f of def.fields) for (const o of f.options ?? []) parts.push(...o.synonyms);
  return parts.flatMap(tokenize);
}

/** Every word the catalog uses about an intent: such words are never taken for typos. */
function vocabulary(def: IntentDefinition): string[] {
  const parts = [...def.examples.zh, ...def.examples.en, ...def.keywords.zh, ...def.keywords.en, def.name.zh, def.name.en, def.description.zh, def.description.en];
  for (const f of def.fields) {
    parts.push(f.label.zh, f.label.en, f.prompt?.zh ?? '', f.prompt?.en ?? '');
    for (const o of f.options ?? []) parts.push(...o.synonyms, o.label.zh, o.label.en);
  }
  return parts;
}

export class IntentClassifier {
  private readonly index: Bm25Index<string>;
  private readonly keywords: Map<string, KeywordMatcher>;
  /** Keywords only one intent has (差旅, "business trip"; not 报销 or "claim"): what a negation can rule out. */
  private readonly distinctive: Map<string, KeywordMatcher>;
  private readonly statusIntent: string | undefined;
  private readonly names: Map<string, IntentDefinition['name']>;
  private readonly typos: TypoTolerance;
  /** "EXP-202611-0003": a request number of one of the catalog's prefixes refers to a request that exists. */
  private readonly requestNumber: RegExp | null;

  constructor(catalog: IntentCatalog) {
    const intents = catalog.chatIntents;
    this.statusIntent = intents.find((i) => i.kind === 'query')?.key;
    this.names = new Map(intents.map((d) => [d.key, d.name]));
    this.index = new Bm25Index(intents.map((d) => ({ label: d.key, tokens: documentTokens(d) })));
    const allZh = intents.flatMap((d) => d.keywords.zh);
    this.keywords = new Map(intents.map((d) => [d.key, new KeywordMatcher([...d.keywords.zh, ...d.keywords.en], allZh)]));
    const owners = new Map<string, number>();
    for (const d of intents) for (const k of new Set([...d.keywords.zh, ...d.keywords.en].map((w) => w.toLowerCase()))) owners.set(k, (owners.get(k) ?? 0) + 1);
    // A word that also names one option of the intent's own fields (招待 is a kind of expense) picks between
    // options when negated ("不算招待，就是午饭"): it does not rule the intent out.
    const optionWords = (d: IntentDefinition): Set<string> => new Set(d.fields.flatMap((f) => (f.options ?? []).flatMap((o) => o.synonyms.map((w) => w.toLowerCase()))));
    this.distinctive = new Map(
      intents.map((d) => {
        const options = optionWords(d);
        const own = [...d.keywords.zh, ...d.keywords.en].filter((k) => owners.get(k.toLowerCase()) === 1 && !options.has(k.toLowerCase()));
        return [d.key, new KeywordMatcher(own)];
      }),
    );
    this.typos = new TypoTolerance(intents.flatMap((d) => [...d.keywords.zh, ...d.keywords.en]), [...COMMON_ENGLISH, ...intents.flatMap(vocabulary)]);
    const prefixes = catalog.formIntents.flatMap((d) => (d.prefix ? [d.prefix] : []));
    this.requestNumber = prefixes.length ? new RegExp(`\\b(?:${prefixes.join('|')})-\\d{6}-\\d{3,}\\b`, 'i') : null;
  }

  /**
   * Which kind of request a status question is about. "我的报销" fits expense claims and travel
   * expenses alike: on a tie in keyword evidence only the intent named in full wins, else all kinds.
   */
  private statusTopic(text: string, ranked: Classification['ranked']): string | null {
    const top = ranked[0];
    if (!top || top.keywordHits === 0) return null;
    const tied = ranked.filter((r) => r.keywordHits === top.keywordHits);
    if (tied.length === 1) return top.intent;
    const lowered = text.toLowerCase();
    const named = tied.filter((r) => {
      const name = this.names.get(r.intent);
      return !!name && (lowered.includes(name.zh) || lowered.includes(name.en.toLowerCase()));
    });
    return named.length === 1 ? (named[0]?.intent ?? null) : null;
  }

  classify(text: string): Classification {
    if (isInjectionAttempt(text)) return { kind: 'blocked', intent: null, confidence: 1, ranked: [] };
    const corrected = this.typos.correct(text.replace(FIELD_REFERENCES, ' '));
    const spans = negatedSpans(corrected);
    const cleaned = maskSpans(corrected, spans);
    const negated = spanText(corrected, spans);
    const bm25 = this.index.score(tokenize(cleaned), (t) => (t.length === 1 ? UNIGRAM_WEIGHT : 1));
    const hits = (intent: string, s: string): number => (s.trim() === '' ? 0 : this.keywords.get(intent)?.count(s) ?? 0);
    const own = (intent: string, s: string): number => (s.trim() === '' ? 0 : this.distinctive.get(intent)?.count(s) ?? 0);
    const ranked = [...bm25.entries()]
      // Ruled out: an intent with as many of its own keywords inside the negated stretches as outside them.
      .filter(([key]) => key !== this.statusIntent && !(own(key, negated) > 0 && own(key, negated) >= own(key, cleaned)))
      .map(([intent, s]) => {
        const keywordHits = hits(intent, cleaned);
        return { intent, score: s + KEYWORD_WEIGHT * keywordHits, keywordHits };
      })
      .sort((a, b) => b.score - a.score);
    const top = ranked[0];
    const second = ranked[1];
    const statusHits = this.statusIntent ? hits(this.statusIntent, cleaned) : 0;
    const statusScore = this.statusIntent ? (bm25.get(this.statusIntent) ?? 0) + KEYWORD_WEIGHT * statusHits : 0;
    const form = questionForm(text);
    const asksProgress = form === 'progress' || (this.requestNumber?.test(text) ?? false);
    if (this.statusIntent && (asksProgress || (statusHits > 0 && (form === 'question' || statusScore >= (top?.score ?? 0))))) {
      return { kind: 'status', intent: this.statusTopic(cleaned, ranked), confidence: asksProgress ? 0.9 : 0.75, ranked };
    }
    if (isGreetingOrHelp(text)) return { kind: 'help', intent: null, confidence: 0.9, ranked };
    if (isBookingRequest(text)) return { kind: 'none', intent: null, confidence: 0.6, ranked };
    if (!top || (top.keywordHits === 0 && top.score < MIN_TEXT_SCORE)) {
      return { kind: 'none', intent: null, confidence: top ? Math.max(0, 0.5 - top.score / 20) : 0.5, ranked };
    }
    const margin = top.score > 0 ? (top.score - (second?.score ?? 0)) / top.score : 0;
    const strength = Math.min(1, top.score / STRONG_SCORE);
    const confidence = Math.round((0.35 + 0.35 * Math.min(1, margin * 2) + 0.3 * strength) * 100) / 100;
    return { kind: 'form', intent: top.intent, confidence, ranked };
  }
}
