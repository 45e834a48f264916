import { describe, expect, it } from 'vitest';
import type { CardView } from '../../../../src/core/card-view.ts';
import { toDingtalkCallbackResponse } from '../../../../src/platforms/dingtalk/callback-response.ts';
import { renderDingtalkCard, renderMarkdownFallback } from '../../../../src/platforms/dingtalk/render-card.ts';
import { renderProblems } from '../../../fakes/dingtalk-template-check.ts';

const approval: CardView = {
  title: '差旅报销 R-1', subtitle: 'R-2026-0001', tone: 'orange', blocks: [
    { type: 'fields', fields: [{ label: '金额', value: '1200.00' }] },
    { type: 'text', text: '去上海 *出差*' },
    { type: 'divider' },
    { type: 'timeline', items: [{ label: '提交', status: 'done', detail: '张三' }, { label: '经理审批', status: 'current' }] },
    { type: 'note', text: '72 小时内处理' },
    { type: 'actions', buttons: [{ actionId: 'approve', label: '同意', style: 'primary', value: { requestId: 'R-1' } }, { actionId: 'reject', label: '驳回', style: 'danger', value: { requestId: 'R-1' }, confirm: { title: '确认', text: '确定？' } }] },
  ],
};

describe('renderDingtalkCard', () => {
  it('approval card: shared variable set with markdown body and buttons as JSON', () => {
    const r = renderDingtalkCard(approval);
    expect(r.kind).toBe('approval');
    expect(r.cardParamMap).toEqual({
      title: '差旅报销 R-1', subtitle: 'R-2026-0001', tone: 'orange',
      markdown: '**金额**：1200.00\n\n去上海 \\*出差\\*\n\n---\n\n✅ 提交 · 张三  \n⏳ 经理审批\n\n<font color="#888888">72 小时内处理</font>',
      has_actions: 'true',
      actions: JSON.stringify([
        { actionId: 'approve', label: '同意', style: 'primary', value: '{"requestId":"R-1"}' },
        { actionId: 'reject', label: '驳回', style: 'danger', value: '{"requestId":"R-1"}', confirmTitle: '确认', confirmText: '确定？' },
      ]),
      has_form: 'false', form_id: '', form: '{"fields":[]}', form_actions: '[]',
    });
    for (const v of Object.values(r.cardParamMap)) expect(typeof v).toBe('string');
  });

  it('form card: form variable fields by type with defaults in their type\'s shape (doc 表单变量), submit buttons separate', () => {
    const r = renderDingtalkCard({ title: '确认', tone: 'blue', blocks: [{ type: 'form', formId: 'expense', inputs: [
      { name: 'amount', label: '金额', type: 'money', required: true, value: '1200.50' },
      { name: 'category', label: '类别', type: 'select', required: true, value: 'hotel', options: [{ value: 'taxi', label: '打车' }, { value: 'hotel', label: '住宿' }] },
      { name: 'unknown_choice', label: '类别2', type: 'select', required: false, value: 'gone', options: [{ value: 'taxi', label: '打车' }] },
      { name: 'date', label: '日期', type: 'date', required: false, value: '2026-11-03' },
      { name: 'bad_date', label: '日期2', type: 'date', required: false, value: '11/03' },
      { name: 'month', label: '月份', type: 'month', required: false, value: '2026-11' },
      { name: 'qty', label: '数量', type: 'number', required: false, value: '3' },
      { name: 'note', label: '备注', type: 'textarea', required: false, placeholder: '可选' },
    ], buttons: [{ actionId: 'submit', label: '提交', style: 'primary', value: { draftId: 'D-9' } }] }] });
    expect(r.kind).toBe('form');
    expect(JSON.parse(r.cardParamMap['form'] ?? '')).toEqual({ fields: [
      // Money stays text: a NUMBER input answers with a float.
      { name: 'amount', label: '金额', type: 'TEXT', required: true, defaultValue: '1200.50' },
      { name: 'category', label: '类别', type: 'SELECT', required: true, defaultValue: { index: 1, value: 'hotel' }, options: [{ value: 'taxi', text: '打车' }, { value: 'hotel', text: '住宿' }] },
      { name: 'unknown_choice', label: '类别2', type: 'SELECT', required: false, options: [{ value: 'taxi', text: '打车' }] },
      { name: 'date', label: '日期', type: 'DATE', required: false, defaultValue: '2026-11-03' },
      { name: 'bad_date', label: '日期2', type: 'DATE', required: false },
      { name: 'month', label: '月份', type: 'TEXT', required: false, defaultValue: '2026-11', placeholder: 'yyyy-MM' },
      { name: 'qty', label: '数量', type: 'NUMBER', required: false, defaultValue: 3 },
      { name: 'note', label: '备注', type: 'TEXT_AREA', required: false, placeholder: '可选' },
    ] });
    expect(renderProblems(r.cardParamMap)).toEqual([]);
    expect(JSON.parse(r.cardParamMap['form_actions'] ?? '')).toEqual([{ actionId: 'submit', label: '提交', style: 'primary', value: '{"draftId":"D-9"}' }]);
    expect(r.cardParamMap['has_form']).toBe('true');
  });

  it('a form button that does not send the form is a plain button, outside the form\'s required-field check', () => {
    // Built as a variable: `sendsForm` is optional on ButtonView.
    const cancel = { actionId: 'dialog.cancel', label: '取消', style: 'default' as const, value: { op: 'dialog.cancel' }, sendsForm: false };
    const submit = { actionId: 'dialog.submit', label: '提交', style: 'primary' as const, value: { op: 'dialog.submit' } };
    const p = renderDingtalkCard({ title: 'T', tone: 'orange', blocks: [{ type: 'form', formId: 'f', inputs: [{ name: 'a', label: 'A', type: 'text', required: true }], buttons: [submit, cancel] }] });
    expect(JSON.parse(p.cardParamMap['form_actions'] ?? '').map((b: { actionId: string }) => b.actionId)).toEqual(['dialog.submit']);
    expect(JSON.parse(p.cardParamMap['actions'] ?? '').map((b: { actionId: string }) => b.actionId)).toEqual(['dialog.cancel']);
    expect(p.cardParamMap['has_actions']).toBe('true');
    expect(p.kind).toBe('form');
  });

  it('keeps every variable within the 1 KB value limit: no colleague list for a person field, long text cut', () => {
    const colleagues = Array.from({ length: 200 }, (_, i) => ({ value: `user${i}`, label: `同事${i}` }));
    const big: CardView = {
      title: '差旅报销 TRV-202611-0001', tone: 'orange', blocks: [
        { type: 'text', text: '出差事由：'.repeat(200) },
        { type: 'form', formId: 'task-1', inputs: [
          { name: 'comment', label: '意见', type: 'textarea', required: false },
          { name: 'transfer_to', label: '转交给', type: 'user', required: false, options: colleagues },
        ], buttons: ['approve', 'reject', 'transfer', 'comment'].map((a) => ({ actionId: a, label: a, style: 'default' as const, value: { requestId: '6f1c2a9e-0000-4000-8000-000000000001', taskId: '6f1c2a9e-0000-4000-8000-000000000002', op: a } })) },
      ],
    };
    const p = renderDingtalkCard(big).cardParamMap;
    for (const [k, v] of Object.entries(p)) expect(Buffer.byteLength(v), k).toBeLessThanOrEqual(1024);
    const person = (JSON.parse(p['form'] ?? '{}') as { fields: { name: string; options?: unknown }[] }).fields.find((f) => f.name === 'transfer_to');
    expect(person).toMatchObject({ type: 'TEXT', placeholder: 'userid' });
    expect(person?.options).toBeUndefined();
    expect(p['markdown']?.endsWith('…')).toBe(true);
  });

  it('status card when there is nothing to click', () => {
    expect(renderDingtalkCard({ title: '已付款', tone: 'green', blocks: [{ type: 'text', text: 'ok' }] }).kind).toBe('status');
  });

  it('markdown fallback lists the unavailable buttons as a hint', () => {
    const md = renderMarkdownFallback(approval, 'zh');
    expect(md.title).toBe('差旅报销 R-1');
    expect(md.text).toContain('### 差旅报销 R-1\nR-2026-0001');
    expect(md.text).toContain('（同意 / 驳回）');
    expect(renderMarkdownFallback({ title: 't', tone: 'grey', blocks: [] }, 'en').text).toBe('### t');
  });

  it('callback answer: the card as public data by key, the toast as the clicker\'s private notice (doc 事件回调)', () => {
    expect(toDingtalkCallbackResponse({})).toEqual({});
    expect(toDingtalkCallbackResponse({ card: approval })).toEqual({ cardData: { cardParamMap: renderDingtalkCard(approval).cardParamMap }, cardUpdateOptions: { updateCardDataByKey: true } });
    const refused = toDingtalkCallbackResponse({ toast: { type: 'error', text: '你不是该步骤的审批人' }, status: 403, error: { code: 'workflow.not_approver', message: 'not an approver' } });
    expect(refused).toEqual({
      userPrivateData: { cardParamMap: { notice: '你不是该步骤的审批人', notice_tone: 'error' } },
      cardUpdateOptions: { updatePrivateDataByKey: true },
    });
    const both = toDingtalkCallbackResponse({ toast: { type: 'success', text: 'Approved' }, card: approval }) as { cardData: { cardParamMap: Record<string, string> }; userPrivateData: { cardParamMap: Record<string, string> } };
    expect(both).toMatchObject({ userPrivateData: { cardParamMap: { notice: 'Approved', notice_tone: 'success' } }, cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true } });
    // The note is the clicker's alone: never in the public data, and it fits the template's private variables.
    expect(both.cardData.cardParamMap['notice']).toBeUndefined();
    expect(renderProblems(both.userPrivateData.cardParamMap, 'private')).toEqual([]);
    expect(renderProblems(both.cardData.cardParamMap)).toEqual([]);
  });
});
