import { describe, expect, it } from 'vitest';
import { en } from '../../../src/i18n/en.ts';
import { zh } from '../../../src/i18n/zh.ts';
import { localized, placeholdersOf, t } from '../../../src/i18n/catalog.ts';

const catalogs = { en: en as Record<string, string>, zh: zh as Record<string, string> };

describe('message catalogs', () => {
  it('zh and en have exactly the same keys', () => {
    const keys = (c: Record<string, string>) => Object.keys(c).sort();
    expect(keys(catalogs.zh)).toEqual(keys(catalogs.en));
  });

  it('each key has the same placeholders in both languages', () => {
    const differ = Object.keys(catalogs.en).filter((k) => placeholdersOf(catalogs.en[k]!).join() !== placeholdersOf(catalogs.zh[k] ?? '').join());
    expect(differ).toEqual([]);
  });

  it('no text is empty or blank', () => {
    const blank = Object.entries(catalogs).flatMap(([l, c]) => Object.entries(c).filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => `${l}:${k}`));
    expect(blank).toEqual([]);
  });

  it('placeholders are found, so the comparison can tell two catalogs apart', () => {
    expect(placeholdersOf('{b} and {a}, {b} again')).toEqual(['a', 'b']);
    expect(placeholdersOf('Approval route: ⚠ {problem}')).not.toEqual(placeholdersOf('审批流程: ⚠ {issue}'));
  });
});

describe('t()', () => {
  it('fills placeholders in the asked language', () => {
    expect(t('en', 'chat.submitted', { number: 'EXP-7' })).toBe('Submitted as EXP-7. Ask me "where is my request?" any time.');
    expect(t('zh', 'toast.erp.alreadyPaid', { ref: 'B-1' })).toBe('这张单据已经付款（银行流水 B-1）');
    expect(t('zh', 'toast.done')).toBe('已处理');
  });

  it('takes a value per language (an intent name) and numbers', () => {
    const name = { zh: '差旅报销', en: 'travel expense claim' };
    expect(t('en', 'chat.started', { name })).toBe('OK, starting a travel expense claim.');
    expect(t('zh', 'chat.started', { name })).toBe('好的，开始填写「差旅报销」。');
    expect(t('en', 'card.status.latest', { count: 3 })).toBe('Latest 3');
  });

  it('localized() gives both languages', () => {
    expect(localized('error.requestAlready', { status: { zh: '已驳回', en: 'rejected' } })).toEqual({ zh: '申请已驳回', en: 'The request is already rejected' });
  });

  it('a misspelt key or a missing placeholder does not compile (tsc checks the @ts-expect-error lines)', () => {
    const neverCalled = (): string[] => [
      // @ts-expect-error: no such key
      t('en', 'chat.submited', { number: '1' }),
      // @ts-expect-error: {number} is required
      t('en', 'chat.submitted'),
      // @ts-expect-error: a text without placeholders takes no params
      t('en', 'toast.done', { x: 1 }),
      // @ts-expect-error: the placeholder is {number}, not {num}
      t('en', 'chat.submitted', { num: '1' }),
    ];
    expect(typeof neverCalled).toBe('function');
  });
});
