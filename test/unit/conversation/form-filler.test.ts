import { describe, expect, it } from 'vitest';
import type { Command } from '../../../src/conversation/commands.ts';
import type { DialogState } from '../../../src/conversation/dialog-state.ts';
import { fillForm, type FillContext, type Reply } from '../../../src/conversation/form-filler.ts';
import { catalog } from './catalog-fixture.ts';

const ctx: FillContext = {
  catalog, versionOf: () => 3, newId: () => 'new-id', now: new Date('2026-11-23T02:00:00Z'), timeZone: 'Asia/Shanghai',
};

const travel = (over: Partial<DialogState> = {}): DialogState => ({
  id: 'd1', intent: 'travel_expense', intentVersion: 3, fields: { period: '2026-11' }, awaiting: null, stage: 'collecting', cardVersion: 0, ...over,
});
const complete = { period: '2026-11', destination: '上海', amount: '2500.00', purpose: '拜访客户' };
const onCard = (over: Partial<DialogState> = {}): DialogState => travel({ fields: complete, stage: 'confirming', cardVersion: 2, ...over });

const set = (field: string, value: string | number): Command => ({ type: 'set_field', field, value });
const start = (intent: string): Command => ({ type: 'start_intent', intent });

/** Replies as short strings: texts in Chinese, cards by type. */
const said = (replies: Reply[]): string[] => replies.map((r) => (r.type === 'text' ? r.text.zh : r.type === 'status_card' ? `status_card${r.filters.intent ? `:${r.filters.intent}` : ''}` : r.type));

interface Row {
  name: string;
  state: DialogState | null;
  commands: Command[];
  /** Expected state fields to check (undefined = don't care); null = no draft left. */
  expect: Partial<DialogState> | null;
  replies: string[];
  submit?: boolean;
  dropped?: string;
}

const rows: Row[] = [
  {
    name: 'one sentence, two required fields missing: started, asks the first one',
    state: null, commands: [start('travel_expense'), set('destination', '上海')],
    expect: { id: 'new-id', intentVersion: 3, fields: { period: '2026-11', destination: '上海' }, awaiting: 'amount', stage: 'collecting', cardVersion: 0 },
    replies: ['好的，开始填写「差旅报销」。', '一共花了多少钱？'],
  },
  {
    name: 'an answer fills the awaited field and asks the next',
    state: travel({ fields: { period: '2026-11', destination: '上海' }, awaiting: 'amount' }), commands: [set('amount', '2500')],
    expect: { fields: { period: '2026-11', destination: '上海', amount: '2500.00' }, awaiting: 'purpose' }, replies: ['出差事由是什么？'],
  },
  {
    name: 'the last required answer shows the confirmation card (version 1)',
    state: travel({ fields: { period: '2026-11', destination: '上海', amount: '2500.00' }, awaiting: 'purpose' }), commands: [set('purpose', '拜访客户')],
    expect: { fields: complete, awaiting: null, stage: 'confirming', cardVersion: 1 }, replies: ['confirm_card'],
  },
  {
    name: 'everything in one sentence: straight to the card, defaults filled',
    state: null, commands: [start('expense_claim'), set('category', 'transport'), set('amount', '45')],
    expect: { intent: 'expense_claim', fields: { category: 'transport', amount: '45.00', date: '2026-11-23' }, stage: 'confirming', cardVersion: 1 },
    replies: ['好的，开始填写「费用报销」。', 'confirm_card'],
  },
  {
    name: 'a correction on the card re-renders the same card with a higher version',
    state: onCard(), commands: [set('amount', '3000')],
    expect: { id: 'd1', fields: { ...complete, amount: '3000.00' }, stage: 'confirming', cardVersion: 3 }, replies: ['confirm_card'],
  },
  {
    name: 'an invalid value is refused and the field is asked again, nothing else changes',
    state: travel({ fields: { period: '2026-11', destination: '上海' }, awaiting: 'amount' }), commands: [set('amount', '很多')],
    expect: { fields: { period: '2026-11', destination: '上海' }, awaiting: 'amount' }, replies: ['请输入金额，例如 3560 或 1.2万'],
  },
  {
    name: 'an unknown field (from a model) is dropped silently',
    state: onCard(), commands: [set('approver', 'admin')], expect: { fields: complete, cardVersion: 2 }, replies: [],
  },
  {
    name: 'an unknown intent is dropped: no draft',
    state: null, commands: [start('approve_everything')], expect: null, replies: [],
  },
  {
    name: 'confirm on a complete draft submits it',
    state: onCard(), commands: [{ type: 'confirm' }], expect: { id: 'd1', fields: complete }, replies: [], submit: true,
  },
  {
    name: 'confirm on an incomplete draft asks for what is missing instead',
    state: travel({ fields: { period: '2026-11', destination: '上海' }, awaiting: 'amount' }), commands: [{ type: 'confirm' }],
    expect: { awaiting: 'amount' }, replies: ['一共花了多少钱？'],
  },
  {
    name: 'confirm with no draft says so',
    state: null, commands: [{ type: 'confirm' }], expect: null, replies: ['现在没有待提交的申请。'],
  },
  {
    name: 'cancel clears the draft and hands it back for its card to close',
    state: onCard(), commands: [{ type: 'cancel' }], expect: null, replies: ['好的，已取消这次申请。'], dropped: 'd1',
  },
  {
    name: 'a correction with no draft says there is nothing to correct and lists the requests',
    state: null, commands: [{ type: 'nothing_to_correct' }], expect: null,
    replies: ['现在没有正在填写的申请，这句修改没有可以改的表单。已提交的申请被驳回或撤回后，可在它的卡片上点「修改后重新提交」；要发起新申请，直接告诉我要办什么。', 'status_card'],
  },
  {
    name: 'cancel with no draft says there is none',
    state: null, commands: [{ type: 'cancel' }], expect: null, replies: ['现在没有进行中的申请。'],
  },
  {
    name: 'a different intent mid-dialog replaces the draft and says so',
    state: travel({ fields: { period: '2026-11', destination: '上海' }, awaiting: 'amount' }),
    commands: [start('purchase_request'), set('item', '显示器'), set('quantity', 5), set('amount', '15000')],
    expect: { id: 'new-id', intent: 'purchase_request', stage: 'confirming', cardVersion: 1 },
    replies: ['好的，先放下「差旅报销」，改为填写「采购申请」。', 'confirm_card'], dropped: 'd1',
  },
  {
    name: 'the same intent again keeps the draft and its answers',
    state: travel({ fields: { period: '2026-11', destination: '上海' }, awaiting: 'amount' }), commands: [start('travel_expense'), set('amount', '800')],
    expect: { id: 'd1', fields: { period: '2026-11', destination: '上海', amount: '800.00' }, awaiting: 'purpose' }, replies: ['出差事由是什么？'],
  },
  {
    name: 'the same intent again with nothing new says the draft is open and asks again',
    state: travel({ fields: { period: '2026-11', destination: '上海' }, awaiting: 'amount' }), commands: [start('travel_expense')],
    expect: { id: 'd1', awaiting: 'amount' }, replies: ['「差旅报销」正在填写中，我们接着来。', '一共花了多少钱？'],
  },
  {
    name: 'none outside a dialog shows help',
    state: null, commands: [{ type: 'none' }], expect: null, replies: ['help_card'],
  },
  {
    name: 'none while collecting: not understood, and the question again',
    state: travel({ fields: { period: '2026-11', destination: '上海' }, awaiting: 'amount' }), commands: [{ type: 'none' }],
    expect: { awaiting: 'amount' }, replies: ['没太明白。', '一共花了多少钱？'],
  },
  {
    name: 'none on the card: a hint, the card is not re-rendered',
    state: onCard(), commands: [{ type: 'none' }], expect: { cardVersion: 2 },
    replies: ['没太明白。可以直接在卡片上修改，或说“金额改成3000”；回复“确认”即可提交。'],
  },
  {
    name: 'help inside a dialog shows the help card and keeps the draft',
    state: travel({ awaiting: 'destination' }), commands: [{ type: 'help' }], expect: { id: 'd1', awaiting: 'destination' }, replies: ['help_card'],
  },
  {
    name: 'a status question inside a dialog answers it and keeps the draft',
    state: onCard(), commands: [{ type: 'status_query', filters: { intent: 'travel_expense' } }], expect: { id: 'd1', cardVersion: 2 },
    replies: ['status_card:travel_expense'],
  },
  {
    name: 'the status-query intent is answered with the status card, no draft',
    state: null, commands: [start('status_query')], expect: null, replies: ['status_card'],
  },
  {
    name: 'a correction plus confirm in one turn (LLM) submits the corrected values',
    state: onCard(), commands: [set('amount', '3000'), { type: 'confirm' }],
    expect: { fields: { ...complete, amount: '3000.00' } }, replies: [], submit: true,
  },
];

describe('fillForm: state + commands → state, replies, submit', () => {
  it.each(rows)('$name', (row) => {
    const r = fillForm(row.state, row.commands, ctx);
    if (row.expect === null) expect(r.state).toBeNull();
    else expect(r.state).toMatchObject(row.expect);
    expect(said(r.replies)).toEqual(row.replies);
    expect(r.submit).toBe(row.submit ?? false);
    expect(r.dropped?.id).toBe(row.dropped);
  });

  it('English text is carried next to the Chinese one', () => {
    const r = fillForm(null, [start('travel_expense'), set('destination', 'Shanghai')], ctx);
    expect(r.replies.map((x) => (x.type === 'text' ? x.text.en : x.type))).toEqual(['OK, starting a travel expense.', 'How much did the trip cost in total?']);
  });

  it('is pure: the given state is not modified', () => {
    const s = onCard();
    const before = JSON.stringify(s);
    fillForm(s, [set('amount', '9000'), { type: 'cancel' }], ctx);
    expect(JSON.stringify(s)).toBe(before);
  });
});
