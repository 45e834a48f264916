import { describe, expect, it } from 'vitest';
import { webUrl, type CardView } from '../../../src/core/card-view.ts';
import { cardViewSchema } from '../../../src/jobs/card-view-schema.ts';
import { renderCardHtml } from '../../../src/platforms/console/render-card.ts';
import { renderDingtalkCard, renderMarkdownFallback } from '../../../src/platforms/dingtalk/render-card.ts';
import { renderFeishuCard } from '../../../src/platforms/feishu/render-card.ts';
import { checkCard } from '../../fakes/feishu-card-rules.ts';

const card = (url: string): CardView => ({ title: '采购订单 PO-1', tone: 'blue', blocks: [{ type: 'link', label: '在 ERP 中打开', url }] });
const feishuBody = (c: CardView) => (renderFeishuCard(c)['body'] as { elements: Record<string, unknown>[] }).elements;

describe('a link block on every platform', () => {
  it('webUrl keeps http(s) only', () => {
    expect(webUrl('https://erp.example.com/po/1?x=a b')).toBe('https://erp.example.com/po/1?x=a%20b');
    expect(webUrl('http://10.0.0.5:8000/#/doc/7')).toBe('http://10.0.0.5:8000/#/doc/7');
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'erp.example.com/po/1', '', undefined]) expect(webUrl(bad)).toBeUndefined();
  });

  it('Feishu: a button opening the URL (behaviors open_url), accepted by the card rules; otherwise the label as text', () => {
    const c = card('https://erp.example.com/po/1');
    expect(feishuBody(c)).toEqual([{ tag: 'button', type: 'default', text: { tag: 'plain_text', content: '在 ERP 中打开' }, behaviors: [{ type: 'open_url', default_url: 'https://erp.example.com/po/1' }] }]);
    expect(checkCard(JSON.stringify(renderFeishuCard(c)), 'send')).toBeUndefined();
    expect(feishuBody(card('javascript:alert(1)'))).toEqual([{ tag: 'markdown', content: '在 ERP 中打开' }]);
  });

  it('DingTalk: a markdown link in the card and in the fallback message; parentheses in the URL are encoded', () => {
    expect(renderDingtalkCard(card('https://erp.example.com/po/(1)')).cardParamMap['markdown']).toBe('[在 ERP 中打开](https://erp.example.com/po/%281%29)');
    expect(renderMarkdownFallback(card('https://erp.example.com/po/1'), 'zh').text).toContain('[在 ERP 中打开](https://erp.example.com/po/1)');
    expect(renderDingtalkCard(card('javascript:alert(1)')).cardParamMap['markdown']).toBe('在 ERP 中打开');
  });

  it('console: an anchor opening a new tab, escaped; otherwise the label as text', () => {
    expect(renderCardHtml(card('https://erp.example.com/po/1?a=1&b="2"'))).toContain('<a href="https://erp.example.com/po/1?a=1&amp;b=%222%22" target="_blank" rel="noopener noreferrer">在 ERP 中打开</a>');
    const bad = renderCardHtml(card('javascript:alert(1)'));
    expect(bad).not.toContain('<a ');
    expect(bad).toContain('在 ERP 中打开');
  });

  it('a card.put payload carrying a link block passes the job schema', () => {
    expect(cardViewSchema.safeParse(card('https://erp.example.com/po/1')).success).toBe(true);
    expect(cardViewSchema.safeParse({ ...card('x'), blocks: [{ type: 'link', label: 'x' }] }).success).toBe(false);
  });
});
