import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Texts for people live in src/i18n (one catalog per language). Elsewhere in src/ a language ternary
 * (`locale === 'zh' ? … : …`, `zh ? '…' : …`) or a `{ zh: '…', en: '…' }` literal is a text that
 * escaped the catalog. Intent names and labels from intents/*.yaml are data and are not written this way.
 */
const SRC = normalize(join(import.meta.dirname, '../../../src'));
const PATTERNS: { name: string; re: RegExp }[] = [
  { name: "=== 'zh' ?", re: /===\s*['"`]zh['"`]\s*\?/ },
  { name: "zh ? '", re: /\bzh\s*\?\s*['"`]/ },
  { name: "{ zh: '", re: /\{\s*zh:\s*['"`]/ },
  { name: "zh: '…' / en: '…' literal", re: /\b(?:zh|en):\s*['"`][^'"`]/ },
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function inlineTexts(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => PATTERNS.filter((p) => p.re.test(line)).map((p) => `${file}:${i + 1} (${p.name}): ${line.trim().slice(0, 120)}`));
}

describe('texts live in the catalog', () => {
  it('no language ternary or { zh, en } text literal in src/ outside src/i18n', () => {
    const files = tsFiles(SRC).filter((f) => !relative(SRC, f).startsWith('i18n'));
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((f) => inlineTexts(relative(SRC, f), readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('the check finds each way a text used to be written', () => {
    const samples = [
      "label: locale === 'zh' ? '同意' : 'Approve',",
      "const title = zh ? '我的申请' : 'My requests';",
      "done: { zh: '已处理', en: 'Done' },",
      "fail('x', { en: 'a reason is required', zh: '驳回需要填写原因' });",
      'return zh ? `已提交 ${n}` : `Submitted ${n}`;',
    ];
    expect(samples.map((s) => inlineTexts('x.ts', s).length > 0)).toEqual(samples.map(() => true));
    expect(inlineTexts('x.ts', "const label = t(locale, 'card.request.approve'); const n = intent.name[locale];")).toEqual([]);
  });
});
