import { describe, expect, it } from 'vitest';
import { actionOf, button, parseCardAction, type CardAction } from '../../../src/cards/card-actions.ts';

/** One action of every op, as the card builders make them. */
const EVERY: CardAction[] = [
  { op: 'approve', requestId: 'r-1', taskId: 't-1' }, { op: 'reject', requestId: 'r-1', taskId: 't-1' },
  { op: 'transfer', requestId: 'r-1', taskId: 't-1' }, { op: 'comment', requestId: 'r-1' }, { op: 'remind', requestId: 'r-1' },
  { op: 'withdraw', requestId: 'r-1' }, { op: 'resubmit', requestId: 'r-1' }, { op: 'dialog.submit', dialogId: 'd-1' },
  { op: 'dialog.cancel', dialogId: 'd-1' }, { op: 'dialog.start', intent: 'travel_expense' }, { op: 'status' },
  { op: 'erp.post', docId: 'doc-1' }, { op: 'erp.pay', docId: 'doc-1' },
];

describe('card actions', () => {
  it.each(EVERY.map((a) => [a.op, a] as const))('%s: the button it makes parses back to it, and its name alone gives its op', (_op, action) => {
    const b = button(action, 'Label', 'default');
    expect(b.value).toEqual(action);
    expect(parseCardAction(b.value)).toEqual({ ok: true, action });
    expect(actionOf(b.actionId)).toEqual(action.op === 'dialog.start' ? { op: 'dialog.start', intent: action.intent } : { op: action.op });
  });

  it('names buttons by op, a start button by its intent, and passes confirm / sendsForm through', () => {
    expect(button({ op: 'dialog.start', intent: 'leave' }, 'Leave', 'default').actionId).toBe('start.leave');
    const b = button({ op: 'withdraw', requestId: 'r-1' }, 'Withdraw', 'danger', { sendsForm: false, confirm: { title: 'Sure?', text: 'Stops.' } });
    expect(b).toEqual({ actionId: 'withdraw', label: 'Withdraw', style: 'danger', value: { op: 'withdraw', requestId: 'r-1' }, sendsForm: false, confirm: { title: 'Sure?', text: 'Stops.' } });
  });

  it('refuses an unknown or absent op, and an op without the ids it acts on', () => {
    expect(parseCardAction({ op: 'approve_all', requestId: 'r-1' })).toEqual({ ok: false, reason: 'unknown_op', error: 'unknown action approve_all' });
    expect(parseCardAction({ requestId: 'r-1' })).toEqual({ ok: false, reason: 'unknown_op', error: 'unknown action (none)' });
    expect(parseCardAction({ op: 'approve', requestId: 'r-1' })).toEqual({ ok: false, reason: 'missing_fields', error: 'action approve lacks taskId' });
    expect(parseCardAction({ op: 'transfer', requestId: '', taskId: '' })).toEqual({ ok: false, reason: 'missing_fields', error: 'action transfer lacks requestId, taskId' });
    expect(parseCardAction({ op: 'erp.pay' })).toMatchObject({ ok: false, reason: 'missing_fields', error: 'action erp.pay lacks docId' });
  });

  it('keeps only the fields of the op (an echoed value may carry more)', () => {
    expect(parseCardAction({ op: 'comment', requestId: 'r-1', taskId: 't-9', extra: 'x' })).toEqual({ ok: true, action: { op: 'comment', requestId: 'r-1' } });
  });

  it('takes no op from a name no button has', () => {
    for (const name of ['dialog.start', 'start.', 'approve_all', '', 'toString']) expect(actionOf(name)).toBeUndefined();
  });
});
