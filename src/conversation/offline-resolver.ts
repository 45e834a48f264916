import type { IntentCatalog } from '../config/intent-catalog.ts';
import { resolveActiveFormTurn } from './active-form-turn.ts';
import { IntentClassifier } from './classifier/intent-classifier.ts';
import { resolveFreshTurn } from './fresh-turn.ts';
import type { IntentResolver, Resolution, ResolveContext } from './resolver.ts';
import { analyzeText } from './text-findings.ts';

/**
 * The default resolver: no network, deterministic. The classifier is built from the catalog once
 * (and again only if a different catalog object is passed in the context).
 */
export class OfflineResolver implements IntentResolver {
  private readonly classifiers = new WeakMap<IntentCatalog, IntentClassifier>();

  constructor(catalog?: IntentCatalog) {
    if (catalog) {
      this.classifiers.set(catalog, new IntentClassifier(catalog));
      this.warmUp(catalog);
    }
  }

  /** The first call pays for ICU word data and chrono's parsers; pay it at construction, not on a user's turn. */
  private warmUp(catalog: IntentCatalog): void {
    const ctx: ResolveContext = { now: new Date(0), timeZone: 'Asia/Shanghai', locale: 'zh', dialog: null, catalog };
    const samples = [
      '上周三去北京出差花了1.2万', '下周五前付给华为两万五，合同号HT-2026-001', '去三号库房拿50卷胶带', '差旅那张单子批了没有',
      'pay Acme Ltd 3,000 by Friday for 10 laptops', 'file the hotel costs from my Shenzhen visit', 'claim 45 yuan for a taxi yesterday',
      'trip to Beijing from Nov 2 to Nov 4, 5400', 'sign a deal with Siemens worth 1.8 million by end of March', 'hello',
      'I had dinner with a client last Friday, 3 days ago, by the end of month', 'order 5 boxes of A4 paper, needed by December 1st',
    ];
    for (let i = 0; i < 5; i += 1) for (const text of samples) this.resolveSync(text, ctx);
  }

  private classifier(catalog: IntentCatalog): IntentClassifier {
    let c = this.classifiers.get(catalog);
    if (!c) {
      c = new IntentClassifier(catalog);
      this.classifiers.set(catalog, c);
    }
    return c;
  }

  resolve(text: string, ctx: ResolveContext): Promise<Resolution> {
    return Promise.resolve(this.resolveSync(text, ctx));
  }

  /** Synchronous core, used by the LLM and hybrid resolvers for fallback and normalization. */
  resolveSync(text: string, ctx: ResolveContext): Resolution {
    const trimmed = text.trim();
    if (trimmed === '') return { commands: [{ type: 'none' }], confidence: 0, source: 'offline' };
    const c = this.classifier(ctx.catalog).classify(trimmed);
    const findings = analyzeText(trimmed, ctx.now, ctx.timeZone);
    const dialog = ctx.dialog;
    if (dialog) return resolveActiveFormTurn(trimmed, { ...ctx, dialog }, c, findings, ctx.catalog);
    return resolveFreshTurn(c, findings, ctx.catalog, trimmed);
  }
}
