import { describe, expect, it } from 'vitest';
import { checkCallbackAnswer, checkCard } from '../../fakes/feishu-card-rules.ts';
import { clientClick } from '../../fakes/feishu-client.ts';

type El = Record<string, unknown>;
const plain = (content: string) => ({ tag: 'plain_text', content });
const card = (elements: El[], config: El = { update_multi: true }) => ({ schema: '2.0', config, header: { title: plain('T'), template: 'blue' }, body: { elements } });
const submit = (name = 'Act_ok'): El => ({ tag: 'button', name, text: plain('OK'), form_action_type: 'submit' });
const form = (elements: El[], name = 'Form_0'): El => ({ tag: 'form', name, elements });
const check = (c: unknown, kind: 'send' | 'patch' | 'callback' = 'send') => checkCard(JSON.stringify(c), kind);
const errMsg = (c: unknown, kind: 'send' | 'patch' | 'callback' = 'send') => check(c, kind)?.msg ?? '';

describe('the fake Feishu refuses cards Feishu refuses', () => {
  it('accepts a well-formed 2.0 card with a form', () => {
    expect(check(card([{ tag: 'markdown', content: 'x' }, form([{ tag: 'input', name: 'comment', required: true }, submit()])]))).toBeUndefined();
  });

  it('names are unique across the card (the approver form clash: textarea and button both "comment")', () => {
    const r = check(card([form([{ tag: 'input', name: 'comment' }, submit('comment')])]));
    expect(r?.code).toBe(230099);
    expect(r?.msg).toMatch(/^Failed to create card content, ext=ErrCode: 11310; ErrMsg: duplicate name comment/);
  });

  it('form rules: root only, no nested form, named components, a submit button, required only inside', () => {
    expect(errMsg(card([{ tag: 'column_set', columns: [{ tag: 'column', elements: [form([submit()])] }] }]))).toContain('card root only');
    expect(errMsg(card([form([form([submit('b')], 'Form_1'), submit()])]))).toContain('cannot hold a form');
    expect(errMsg(card([form([{ tag: 'input' }, submit()])]))).toContain('input in a form needs a name');
    expect(errMsg(card([form([{ tag: 'input', name: 'a' }])]))).toContain('needs a submit button');
    expect(errMsg(card([form([{ tag: 'button', name: 'Act_c', text: plain('Cancel') }, submit()])]))).toContain('needs form_action_type');
    expect(errMsg(card([{ tag: 'input', name: 'a', required: false }]))).toContain('required outside a form');
    expect(errMsg(card([{ tag: 'button', name: 'b', text: plain('x'), form_action_type: 'submit' }]))).toContain('form_action_type outside a form');
  });

  it('component properties: header template, button type and behaviors, person options are open_ids, action module', () => {
    expect(errMsg({ ...card([]), header: { title: plain('T'), template: 'pink' } })).toContain('unknown header template');
    expect(errMsg(card([{ tag: 'button', text: plain('x'), type: 'huge' }]))).toContain('unknown button type');
    expect(errMsg(card([{ tag: 'button', text: plain('x'), behaviors: [{ type: 'callback' }] }]))).toContain('behaviors are');
    expect(errMsg(card([form([{ tag: 'select_person', name: 'p', options: [{ value: 'lisi' }] }, submit()])]))).toContain('open_id');
    expect(errMsg(card([form([{ tag: 'select_person', name: 'p', initial_option: 'ou_x', options: [{ value: 'ou_y' }] }, submit()])]))).toContain('initial_option');
    expect(errMsg(card([{ tag: 'action', actions: [] }]))).toContain('no action module');
    expect(errMsg({ config: {}, body: { elements: [] } })).toContain('2.0 only');
  });

  it('30 KB, and PATCH only of shared cards', () => {
    expect(check(card([{ tag: 'markdown', content: '字'.repeat(11_000) }]))?.code).toBe(230025);
    expect(errMsg(card([], {}), 'patch')).toContain('update_multi');
    expect(errMsg(card([], { update_multi: false }))).toContain('update_multi');
  });

  it('callback answers: toast shape and a valid raw card, else the client shows 200671 / 200673', () => {
    expect(checkCallbackAnswer(200, { toast: { type: 'success', content: '已同意' } })).toBeUndefined();
    expect(checkCallbackAnswer(500, {})?.code).toBe(200671);
    expect(checkCallbackAnswer(200, { toast: { type: 'great', content: 'x' } })?.code).toBe(200671);
    expect(checkCallbackAnswer(200, { card: { type: 'raw', data: card([{ tag: 'action' }]) } })?.code).toBe(200673);
  });
});

describe('the fake client clicks as the Feishu client does', () => {
  const message = (c: unknown, to = 'ou_lisi') => ({ message_id: 'om_1', receive_id: to, receive_id_type: 'open_id', content: JSON.stringify(c), updates: [] as string[] });
  const approverCard = card([form([
    { tag: 'input', name: 'comment', required: true },
    { tag: 'select_person', name: 'transfer_to' },
    { tag: 'button', name: 'Act_approve', text: plain('OK'), form_action_type: 'submit', behaviors: [{ type: 'callback', value: { op: 'approve' } }] },
  ])]);

  it('a form submit sends only name + form_value, after the required-field check', () => {
    expect(clientClick(message(approverCard), 'Act_approve', {}, new Map())).toEqual({ sent: false, reason: 'required_missing', detail: 'comment' });
    expect(clientClick(message(approverCard), 'Act_approve', { comment: 'ok' }, new Map())).toEqual({ sent: true, action: { tag: 'button', name: 'Act_approve', form_value: { comment: 'ok' } } });
  });

  it('a person picker without options offers the one-to-one chat: the approver alone', () => {
    expect(clientClick(message(approverCard), 'Act_approve', { comment: 'x', transfer_to: 'ou_admin' }, new Map())).toMatchObject({ sent: false, reason: 'not_offered' });
    expect(clientClick(message(approverCard), 'Act_approve', { comment: 'x', transfer_to: 'ou_lisi' }, new Map())).toMatchObject({ sent: true });
  });

  it('a button outside a form echoes its callback value', () => {
    const c = card([{ tag: 'button', name: 'Act_status', text: plain('x'), behaviors: [{ type: 'callback', value: { op: 'status' } }] }]);
    expect(clientClick(message(c), 'Act_status', {}, new Map())).toEqual({ sent: true, action: { tag: 'button', name: 'Act_status', value: { op: 'status' } } });
  });
});
