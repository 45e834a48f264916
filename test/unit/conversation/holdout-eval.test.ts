import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scoreCase, type EvalCase } from '../../../src/conversation/eval-scoring.ts';
import { OfflineResolver } from '../../../src/conversation/offline-resolver.ts';
import { catalog } from './catalog-fixture.ts';

/** Our own held-out sentences (different wording from the shared dev set): the offline targets must hold. */
const cases = readFileSync(new URL('./fixtures/nlu-holdout.jsonl', import.meta.url), 'utf8')
  .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as EvalCase);

describe('offline resolver on the held-out set', () => {
  it('intent ≥ 0.95 and slots ≥ 0.90', async () => {
    const resolver = new OfflineResolver(catalog);
    let intents = 0;
    let slots = 0;
    let total = 0;
    for (const c of cases) {
      const r = await resolver.resolve(c.text, { now: new Date(c.now), timeZone: 'Asia/Shanghai', locale: 'zh', dialog: null, catalog });
      const s = scoreCase(c, r.commands, catalog);
      intents += s.intentOk ? 1 : 0;
      slots += s.slotOk;
      total += s.slotTotal;
    }
    expect(intents / cases.length).toBeGreaterThanOrEqual(0.95);
    expect(slots / total).toBeGreaterThanOrEqual(0.9);
  });
});
