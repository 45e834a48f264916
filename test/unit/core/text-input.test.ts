import { describe, expect, it } from 'vitest';
import { describeUnsafeText, findUnsafeText, textProblem } from '../../../src/core/text-input.ts';

describe('textProblem', () => {
  it.each([
    ['plain 文本', null], ['tab\tnew\nline\r', null], ['emoji 😀 pair', null],
    ['a\u0000b', 'nul'], ['\ud800', 'lone_surrogate'], ['x\udc00', 'lone_surrogate'], ['\ud83d\ud83d', 'lone_surrogate'],
    ['bell\u0007', 'control'], ['esc\u001b[31m', 'control'],
  ] as const)('%j → %s', (s, want) => {
    expect(textProblem(s)).toBe(want);
  });
  it('NUL wins over a control character seen first', () => {
    expect(textProblem('\u0007\u0000')).toBe('nul');
  });
});

describe('findUnsafeText', () => {
  it('names the path of a value, and the parent of a bad key', () => {
    expect(findUnsafeText({ user: 'ok', form: { purpose: 'a\u0000' } })).toEqual({ path: ['form', 'purpose'], problem: 'nul' });
    expect(findUnsafeText({ form: { ['k\ud800']: 'v' } })).toEqual({ path: ['form'], problem: 'lone_surrogate' });
    expect(findUnsafeText({ list: ['ok', 'b\u0001'] })).toEqual({ path: ['list', 1], problem: 'control' });
    expect(findUnsafeText({ at: new Date(0), n: 1, t: true, z: null })).toBeNull();
  });
  it('describes where', () => {
    expect(describeUnsafeText({ path: ['form', 'purpose'], problem: 'nul' }, 'body')).toBe('form.purpose: contains a NUL character');
    expect(describeUnsafeText({ path: [], problem: 'control' }, 'path')).toBe('path: contains a control character');
  });
});
