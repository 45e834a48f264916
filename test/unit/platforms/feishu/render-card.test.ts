import { describe, expect, it } from 'vitest';
import type { CardView } from '../../../../src/core/card-view.ts';
import { toFeishuCallbackResponse } from '../../../../src/platforms/feishu/callback-response.ts';
import { renderFeishuCard } from '../../../../src/platforms/feishu/render-card.ts';
import { checkCard } from '../../../fakes/feishu-card-rules.ts';

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

  it('actions: buttons are named after their actionId and carry { actionId, ...value } and confirm', () => {
    const [row] = body(card([{ type: 'actions', buttons: [
      { actionId: 'approve', label: '同意', style: 'primary', value: { requestId: 'R-1', version: '3' } },
      { actionId: 'reject', label: '驳回', style: 'danger', value: { requestId: 'R-1' }, confirm: { title: '确认', text: '确定驳回？' } },
    ] }]));
    expect(row).toMatchObject({ tag: 'column_set' });
    const buttons = (row?.['columns'] as { elements: Record<string, unknown>[] }[]).map((c) => c.elements[0]);
    expect(buttons[0]).toEqual({
      tag: 'button', name: 'Act_approve', type: 'primary_filled', text: { tag: 'plain_text', content: '同意' },
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
    expect(form).toMatchObject({ tag: 'form', name: 'Form_0' });
    const els = form?.['elements'] as Record<string, unknown>[];
    // A person input without platform ids is typed: a bare select_person would offer only the chat's members.
    expect(els.map((e) => e['tag'])).toEqual(['input', 'input', 'markdown', 'select_static', 'markdown', 'date_picker', 'input', 'column_set']);
    expect(els[0]).toMatchObject({ name: 'amount', required: true, default_value: '1200', label: { content: '金额' } });
    expect(els[1]).toMatchObject({ input_type: 'multiline_text', placeholder: { content: '可选' } });
    expect(els[3]).toMatchObject({ initial_option: 'taxi', options: [{ text: { content: '打车' }, value: 'taxi' }, { text: { content: '住宿' }, value: 'hotel' }] });
    expect(els[5]).toMatchObject({ name: 'date', initial_date: '2026-11-01' });
    const submit = (els[7]?.['columns'] as { elements: Record<string, unknown>[] }[])[0]?.elements[0];
    expect(submit).toMatchObject({ name: 'Act_submit', form_action_type: 'submit', behaviors: [{ type: 'callback', value: { actionId: 'submit', draftId: 'D-9' } }] });
    expect(checkCard(JSON.stringify(renderFeishuCard(card([{ type: 'form', formId: 'x', inputs: [], buttons: [{ actionId: 'submit', label: 'ok', style: 'primary', value: {} }] }]))), 'send')).toBeUndefined();
  });

  it("the approver's form: a textarea and a button both called comment get card-unique names, and the card passes Feishu's rules", () => {
    const out = renderFeishuCard(card([{ type: 'form', formId: 'task-1', inputs: [
      { name: 'comment', label: '意见', type: 'textarea', required: false },
      { name: 'transfer_to', label: '转交给', type: 'user', required: false, options: [{ value: 'lisi', label: '李四', externalId: 'ou_lisi' }, { value: 'wangwu', label: '王五', externalId: 'ou_wangwu' }] },
    ], buttons: ['approve', 'reject', 'transfer', 'comment'].map((a) => ({ actionId: a, label: a, style: 'default' as const, value: {} })) }]));
    const text = JSON.stringify(out);
    expect(checkCard(text, 'send')).toBeUndefined();
    const names = [...text.matchAll(/"name":"([^"]+)"/g)].map((m) => m[1]);
    expect(names).toEqual(['Form_0', 'comment', 'transfer_to', 'Act_approve', 'Act_reject', 'Act_transfer', 'Act_comment']);
    // The person picker offers the candidates' open_ids (a one-to-one chat would otherwise offer the approver alone).
    expect(text).toContain('{"tag":"select_person","name":"transfer_to","required":false,"options":[{"value":"ou_lisi"},{"value":"ou_wangwu"}]}');
  });

  it('a person input offers people with an open_id, preselected by directory id; those without one are left out', () => {
    const [form] = body(card([{ type: 'form', formId: 'f', inputs: [
      { name: 'who', label: '人', type: 'user', required: true, value: 'wangwu', options: [{ value: 'lisi', label: '李四' }, { value: 'wangwu', label: '王五', externalId: 'ou_w' }] },
    ], buttons: [{ actionId: 'submit', label: 'ok', style: 'primary', value: {} }] }]));
    const picker = (form?.['elements'] as Record<string, unknown>[])[1];
    expect(picker).toEqual({ tag: 'select_person', name: 'who', required: true, initial_option: 'ou_w', options: [{ value: 'ou_w' }] });
  });

  it('buttons that do not send the form (cancel) sit after it, without form_action_type; the rest are submits', () => {
    const els = body(card([{ type: 'form', formId: 'dialog:1', inputs: [{ name: 'amount', label: '金额', type: 'money', required: true }], buttons: [
      { actionId: 'dialog.submit', label: '提交', style: 'primary', value: {} },
      { actionId: 'dialog.cancel', label: '取消', style: 'default', value: { op: 'dialog.cancel' }, sendsForm: false },
    ] }]));
    expect(els.map((e) => e['tag'])).toEqual(['form', 'column_set']);
    const inForm = JSON.stringify(els[0]);
    expect(inForm).toContain('"name":"Act_dialogX002Esubmit"');
    expect(inForm).not.toContain('cancel');
    const cancel = (els[1]?.['columns'] as { elements: Record<string, unknown>[] }[])[0]?.elements[0];
    expect(cancel).toMatchObject({ name: 'Act_dialogX002Ecancel', behaviors: [{ type: 'callback', value: { op: 'dialog.cancel', actionId: 'dialog.cancel' } }] });
    expect(cancel).not.toHaveProperty('form_action_type');
    expect(checkCard(JSON.stringify(renderFeishuCard(card([{ type: 'form', formId: 'x', inputs: [], buttons: [{ actionId: 'a', label: 'a', style: 'default', value: {}, sendsForm: false }] }]))), 'send')).toBeUndefined();
  });

  it('callback response: toast and raw card', () => {
    expect(toFeishuCallbackResponse({})).toEqual({});
    const r = toFeishuCallbackResponse({ toast: { type: 'success', text: '已同意' }, card: card([]) });
    expect(r['toast']).toEqual({ type: 'success', content: '已同意' });
    expect(r['card']).toMatchObject({ type: 'raw', data: { schema: '2.0' } });
  });
});
