import { describe, expect, it } from 'vitest';
import type { Command } from '../../../src/conversation/commands.ts';
import { changedFields, fillChatTurn, isPersonConfirm } from '../../../src/conversation/confirm-gate.ts';
import type { DialogState } from '../../../src/conversation/dialog-state.ts';
import type { FillContext, Reply } from '../../../src/conversation/form-filler.ts';
import { parseReplyJson, replyToCommands } from '../../../src/conversation/llm/llm-reply.ts';
import type { ResolveContext } from '../../../src/conversation/resolver.ts';
import { catalog } from './catalog-fixture.ts';

const now = new Date('2026-11-23T02:00:00Z');
const ctx: FillContext = { catalog, versionOf: () => 3, newId: () => 'new-id', now, timeZone: 'Asia/Shanghai' };
const complete = { period: '2026-11', destination: '上海', amount: '2500.00', purpose: '拜访客户' };
const onCard = (over: Partial<DialogState> = {}): DialogState => ({
  id: 'd1', intent: 'travel_expense', intentVersion: 3, fields: complete, awaiting: null, stage: 'confirming', cardVersion: 2, ...over,
});
const set = (field: string, value: string): Command => ({ type: 'set_field', field, value });
const confirm: Command = { type: 'confirm' };
const said = (replies: Reply[]): string[] => replies.map((r) => (r.type === 'text' ? r.text.en : r.type));

describe('a proposed confirm submits only on the person\'s own confirm', () => {
  it('the same recogniser as the offline resolver, both languages; questions, refusals and cancels are no confirm', () => {
    for (const yes of ['确认', '确定提交', '好的，提交吧', 'ok', 'yes please', 'submit it', 'looks good']) expect(isPersonConfirm(yes), yes).toBe(true);
    for (const no of ['hello there', '今天天气怎么样', '不确认', "don't submit", 'cancel', '算了', 'ok but change the amount to 300', '确认一下金额是多少']) {
      expect(isPersonConfirm(no), no).toBe(false);
    }
  });

  it('unrelated text + a proposed confirm: nothing submitted, the draft as it was, the hint says how to submit', () => {
    for (const text of ['hello there', '帮我查一下明天的天气']) {
      const out = fillChatTurn(text, onCard(), [confirm], ctx);
      expect(out.fill.submit).toBe(false);
      expect(out.fill.state).toMatchObject({ id: 'd1', fields: complete, stage: 'confirming', cardVersion: 2 });
      expect(said(out.fill.replies)).toEqual([expect.stringMatching(/reply "submit"/)]);
      expect(out.held).toEqual({ reason: 'not_a_confirm_reply', changed: [] });
    }
  });

  it('unrelated text + a change + a confirm: the change lands on a refreshed card, with a note that nothing was sent', () => {
    const out = fillChatTurn('hello there', onCard(), [set('amount', '9999'), confirm], ctx);
    expect(out.fill.submit).toBe(false);
    expect(out.fill.state).toMatchObject({ fields: { ...complete, amount: '9999.00' }, stage: 'confirming', cardVersion: 3 });
    expect(said(out.fill.replies)).toEqual(['confirm_card', expect.stringMatching(/did not submit/)]);
    expect(out.held).toEqual({ reason: 'not_a_confirm_reply', changed: ['amount'] });
  });

  it('the person\'s confirm submits the draft they saw', () => {
    for (const text of ['确认', 'ok submit', ' 好的 ']) {
      const out = fillChatTurn(text, onCard(), [confirm], ctx);
      expect(out.fill.submit).toBe(true);
      expect(out.fill.state?.fields).toEqual(complete);
      expect(out.held).toBeUndefined();
    }
  });

  it('a confirm word with a change in the same turn shows the change first; a value the draft already has is no change', () => {
    const changed = fillChatTurn('确认', onCard(), [set('amount', '9999'), confirm], ctx);
    expect(changed.fill.submit).toBe(false);
    expect(changed.fill.state?.fields['amount']).toBe('9999.00');
    expect(changed.held).toEqual({ reason: 'draft_changed_in_same_turn', changed: ['amount'] });
    const echoed = fillChatTurn('确认', onCard(), [set('amount', '2500'), set('destination', '上海'), confirm], ctx);
    expect(echoed.fill.submit).toBe(true);
    expect(echoed.held).toBeUndefined();
  });

  it('a confirm in the turn that opens another draft never submits that unseen draft', () => {
    const cmds: Command[] = [{ type: 'start_intent', intent: 'expense_claim' }, set('amount', '50'), set('category', 'transport'), set('description', '打车'), confirm];
    const out = fillChatTurn('ok', onCard(), cmds, ctx);
    expect(out.fill.submit).toBe(false);
    expect(out.fill.state?.intent).toBe('expense_claim');
    expect(out.held?.reason).toBe('draft_changed_in_same_turn');
  });

  it('a resubmit draft (a returned request being edited) is not resubmitted on a proposed confirm', () => {
    const out = fillChatTurn('hello', onCard({ resubmitOf: 'req-1' }), [confirm], ctx);
    expect(out.fill.submit).toBe(false);
    expect(out.fill.state?.resubmitOf).toBe('req-1');
  });

  it('turns without a confirm are filled as before', () => {
    const out = fillChatTurn('金额改成3000', onCard(), [set('amount', '3000')], ctx);
    expect(out.held).toBeUndefined();
    expect(out.fill.state?.fields['amount']).toBe('3000.00');
    expect(changedFields(onCard(), out.fill.state, ctx)).toEqual(['amount']);
  });
});

describe('the model\'s confirm reply (llm-reply.ts)', () => {
  const rctx = (dialog: ResolveContext['dialog']): ResolveContext => ({ now, timeZone: 'Asia/Shanghai', locale: 'en', dialog, catalog });
  const reply = (fields: Record<string, string | null>, intent: string | null = 'travel_expense') =>
    parseReplyJson(JSON.stringify({ action: 'confirm', intent, fields })) ?? expect.fail('reply did not parse');

  it('values given with a confirm are checked against the open draft\'s fields and proposed before the confirm', () => {
    const out = replyToCommands(reply({ amount: '9999', approver: 'lisi', destination: null, purpose: '' }), rctx({ intent: 'travel_expense', fields: complete, awaiting: null }), catalog);
    expect(out?.commands).toEqual([set('amount', '9999.00'), confirm]);
    expect(out?.dropped).toEqual(['field:approver']);
  });

  it('values are read for the open draft even when the model names another intent; without a draft a confirm is nothing', () => {
    const out = replyToCommands(reply({ amount: 'lots' }, 'payment_request'), rctx({ intent: 'travel_expense', fields: complete, awaiting: null }), catalog);
    expect(out?.commands).toEqual([confirm]);
    expect(out?.dropped).toEqual(['value:amount']);
    expect(replyToCommands(reply({ amount: '10' }), rctx(null), catalog)?.commands).toEqual([{ type: 'none' }]);
  });
});
