import { describe, expect, it } from 'vitest';
import type { CardView } from '../../../../src/cards/card-view.ts';
import { toFeishuCallbackResponse } from '../../../../src/platforms/feishu/callback-response.ts';
import { renderFeishuCard } from '../../../../src/platforms/feishu/render-card.ts';

const card = (blocks: CardView['blocks'], extra: Partial<CardView> = {}): CardView => ({ title: '差旅报销 R-1', tone: 'orange', blocks, ...extra });
const body = (c: CardView) => (renderFeishuCard(c)['body'] as { elements: Record<string, unknown>[] }).elements;

describe('renderFeishuCard', () => {
  it('is a shared JSON 2.0 card with a header colored by tone', () => {
    const out = renderFeishuCard(card([], { subtitle: 'R-2026-0001', tone: 'green' }));
    expect(out['schema']).toBe('2.0');
    expect(out['config']).toMatchObject({ update_multi: true });
    expect(out['header']).toEqual({ title: { tag: 'plain_text', content: '差旅报销 R-1' }, subtitle: { tag: 'plain_text', content: 'R-2026-0001' }, template: 'green' });
  });

  it('text, note, divider, fields, timeline', () => {
    expect(body(card([
      { type: 'text', text: 'a *b*' },
      { type: 'note', text: 'n' },
      { type: 'divider' },
      { type: 'fields', fields: [{ label: '金额', value: '1200.00' }, { label: '日期', value: '2026-11-01' }] },
      { type: 'timeline', items: [{ label: '提交', status: 'done', detail: '张三 · 10:05' }, { label: '经理审批', status: 'current' }, { label: '财务', status: 'pending' }] },
    ]))).toEqual([
      { tag: 'markdown', content: 'a \\*b\\*' },
      { tag: 'markdown', content: 'n', text_size: 'notation' },
      { tag: 'hr' },
      { tag: 'markdown', content: '**金额**: 1200.00\n**日期**: 2026-11-01' },
      { tag: 'markdown', content: '✅ 提交 · 张三 · 10:05\n⏳ 经理审批\n⚪ 财务' },
    ]);
  });

  it('actions: callback buttons carry { actionId, ...value } and confirm', () => {
    const [row] = body(card([{ type: 'actions', buttons: [
      { actionId: 'approve', label: '同意', style: 'primary', value: { requestId: 'R-1', version: '3' } },
      { actionId: 'reject', label: '驳回', style: 'danger', value: { requestId: 'R-1' }, confirm: { title: '确认', text: '确定驳回？' } },
    ] }]));
    expect(row).toMatchObject({ tag: 'column_set' });
    const buttons = (row?.['columns'] as { elements: Record<string, unknown>[] }[]).map((c) => c.elements[0]);
    expect(buttons[0]).toEqual({
      tag: 'button', name: 'approve', type: 'primary_filled', text: { tag: 'plain_text', content: '同意' },
      behaviors: [{ type: 'callback', value: { requestId: 'R-1', version: '3', actionId: 'approve' } }],
    });
    expect(buttons[1]).toMatchObject({ type: 'danger', confirm: { title: { content: '确认' }, text: { content: '确定驳回？' } } });
  });

  it('form: a form container with inputs of every type and submit buttons', () => {
    const [form] = body(card([{ type: 'form', formId: 'expense', inputs: [
      { name: 'amount', label: '金额', type: 'money', required: true, value: '1200' },
      { name: 'note', label: '备注', type: 'textarea', required: false, placeholder: '可选' },
      { name: 'category', label: '类别', type: 'select', required: true, value: 'taxi', options: [{ value: 'taxi', label: '打车' }, { value: 'hotel', label: '住宿' }] },
      { name: 'date', label: '日期', type: 'date', required: true, value: '2026-11-01' },
      { name: 'approver', label: '审批人', type: 'user', required: false },
    ], buttons: [{ actionId: 'submit', label: '提交', style: 'primary', value: { draftId: 'D-9' } }] }]));
    expect(form).toMatchObject({ tag: 'form', name: 'expense' });
    const els = form?.['elements'] as Record<string, unknown>[];
    expect(els.map((e) => e['tag'])).toEqual(['input', 'input', 'markdown', 'select_static', 'markdown', 'date_picker', 'markdown', 'select_person', 'column_set']);
    expect(els[0]).toMatchObject({ name: 'amount', required: true, default_value: '1200', label: { content: '金额' } });
    expect(els[1]).toMatchObject({ input_type: 'multiline_text', placeholder: { content: '可选' } });
    expect(els[3]).toMatchObject({ initial_option: 'taxi', options: [{ text: { content: '打车' }, value: 'taxi' }, { text: { content: '住宿' }, value: 'hotel' }] });
    expect(els[5]).toMatchObject({ name: 'date', initial_date: '2026-11-01' });
    const submit = (els[8]?.['columns'] as { elements: Record<string, unknown>[] }[])[0]?.elements[0];
    expect(submit).toMatchObject({ form_action_type: 'submit', behaviors: [{ type: 'callback', value: { actionId: 'submit', draftId: 'D-9' } }] });
  });

  it('callback response: toast and raw card', () => {
    expect(toFeishuCallbackResponse({})).toEqual({});
    const r = toFeishuCallbackResponse({ toast: { type: 'success', text: '已同意' }, card: card([]) });
    expect(r['toast']).toEqual({ type: 'success', content: '已同意' });
    expect(r['card']).toMatchObject({ type: 'raw', data: { schema: '2.0' } });
  });
});
