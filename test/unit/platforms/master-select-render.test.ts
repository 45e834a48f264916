import { describe, expect, it } from 'vitest';
import { buildConfirmCard } from '../../../src/cards/dialog-cards.ts';
import { cardOptions } from '../../../src/conversation/master-fields.ts';
import { renderDingtalkCard } from '../../../src/platforms/dingtalk/render-card.ts';
import { renderFeishuCard } from '../../../src/platforms/feishu/render-card.ts';
import { checkParamMap } from '../../fakes/dingtalk-card-rules.ts';
import { checkCard } from '../../fakes/feishu-card-rules.ts';
import { catalog } from '../conversation/catalog-fixture.ts';

/** A purchase request's confirmation card whose supplier offers 100 invented suppliers (the card's cap). */
const records = Array.from({ length: 150 }, (_, i) => ({ name: `测试供应商${String(i).padStart(3, '0')}号有限公司` }));
const card = buildConfirmCard({
  state: { id: 'd1', fields: { item: '显示器', quantity: 5, amount: '8000.00', supplier: '测试供应商120号有限公司' } },
  intent: catalog.get('purchase_request')!, route: { ok: true, steps: [] }, names: new Map(), locale: 'zh',
  choices: { supplier: cardOptions(records, '测试供应商120号有限公司') },
});

describe('a master-data select on each platform', () => {
  it('Feishu: select_static with every option, the current one selected, within the card rules', () => {
    const json = renderFeishuCard(card);
    expect(checkCard(JSON.stringify(json), 'send')).toBeUndefined();
    const found: Record<string, unknown>[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') {
        const o = n as Record<string, unknown>;
        if (o['tag'] === 'select_static' && o['name'] === 'supplier') found.push(o);
        Object.values(o).forEach(walk);
      }
    };
    walk(json);
    expect(found).toHaveLength(1);
    expect(found[0]?.['initial_option']).toBe('测试供应商120号有限公司');
    expect((found[0]?.['options'] as unknown[]).length).toBe(100);
  });

  it('DingTalk: options that would break the 1 KB variable limit become a typed-in field keeping its value', () => {
    const p = renderDingtalkCard(card);
    expect(checkParamMap(p.cardParamMap, 'cardParamMap')).toBeUndefined();
    for (const [k, v] of Object.entries(p.cardParamMap)) expect(Buffer.byteLength(v), k).toBeLessThanOrEqual(1024);
    const fields = (JSON.parse(p.cardParamMap['form'] ?? '{}') as { fields: { name: string; type: string; defaultValue?: unknown; options?: unknown }[] }).fields;
    expect(fields.find((f) => f.name === 'supplier')).toMatchObject({ type: 'TEXT', defaultValue: '测试供应商120号有限公司' });
    expect(fields.find((f) => f.name === 'supplier')?.options).toBeUndefined();
  });

  it('DingTalk: a short list stays a select', () => {
    const small = buildConfirmCard({
      state: { id: 'd1', fields: { supplier: '甲' } }, intent: catalog.get('purchase_request')!, route: { ok: true, steps: [] }, names: new Map(), locale: 'zh',
      choices: { supplier: ['甲', '乙'] },
    });
    const fields = (JSON.parse(renderDingtalkCard(small).cardParamMap['form'] ?? '{}') as { fields: { name: string; type: string; defaultValue?: unknown }[] }).fields;
    expect(fields.find((f) => f.name === 'supplier')).toMatchObject({ type: 'SELECT', defaultValue: { index: 0, value: '甲' } });
  });
});
