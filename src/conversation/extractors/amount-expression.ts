import { dropThousandsSeparators, normalizeMoney, type Money } from '../../core/money.ts';
import { parseChineseNumber } from './chinese-numerals.ts';

/**
 * One amount written on its own, CNY yuan: "3000", "¥8,999", "8万", "3.5w", "1.2k", "一千二",
 * "两万五", "86块", "15,000元", "2.4 million", "RMB 500". Null when the string is not just an amount.
 */
const CURRENCY = /^(?:[¥￥$]|rmb|cny)\s*|\s*(?:元整?|块钱?|圆整?|整|rmb|cny|yuan|kuai|人民币)\s*$/gi;
/** Yuan with jiao and fen: "12块8" = 12.80, "5元5角" = 5.50, "叁佰元伍角贰分" = 300.52, "3毛5" = 0.35. */
const YUAN_JIAO = /^(.*?)\s*(?:块|元|圆)\s*(\S)\s*(?:毛|角)?(?:\s*(\S)\s*分)?$/u;
const JIAO = /^(\S)\s*(?:毛|角)(?:\s*(\S)\s*分?)?$/u;
const ENGLISH_SCALE: ReadonlyArray<[RegExp, number]> = [
  [/^(\d+(?:\.\d+)?)\s*(?:million|mn|m)$/i, 1_000_000],
  [/^(\d+(?:\.\d+)?)\s*(?:billion|bn)$/i, 1_000_000_000],
  [/^(\d+(?:\.\d+)?)\s*(?:thousand|k)$/i, 1_000],
  [/^(\d+(?:\.\d+)?)\s*w$/i, 10_000],
];

export function parseAmount(input: string | number): number | null {
  if (typeof input === 'number') return Number.isFinite(input) ? input : null;
  let s = input.trim().replace(CURRENCY, '').replace(CURRENCY, '').trim();
  // "8,999" and "15,000" are amounts; "1,2,3" is not 123 (dropThousandsSeparators says null).
  const ungrouped = dropThousandsSeparators(s);
  if (ungrouped === null || ungrouped === '') return null;
  s = ungrouped;
  if (/^\d+(?:\.\d+)?$/.test(s)) return Number(s);
  const small = yuanAndJiao(s);
  if (small !== undefined) return small;
  for (const [re, scale] of ENGLISH_SCALE) {
    const m = re.exec(s);
    if (m) return round(Number(m[1]) * scale);
  }
  const zh = s.replace(/(\d)\s*[wW]/g, '$1万').replace(/(\d)\s*[kK]/g, '$1千').replace(/\s+/g, '');
  const n = parseChineseNumber(zh);
  return n === null ? null : round(n);
}

function digit(c: string | undefined): number | null {
  if (c === undefined) return 0;
  const n = /^\d$/.test(c) ? Number(c) : parseChineseNumber(c);
  return n !== null && n < 10 ? n : null;
}

/** undefined: not written in yuan + jiao; null: looks like it but does not read. */
function yuanAndJiao(s: string): number | null | undefined {
  const yj = YUAN_JIAO.exec(s);
  if (yj) {
    const yuan = yj[1] === '' ? 0 : /^\d+$/.test(yj[1] ?? '') ? Number(yj[1]) : parseChineseNumber(yj[1] ?? '');
    const jiao = digit(yj[2]);
    const fen = digit(yj[3]);
    return yuan === null || jiao === null || fen === null ? null : round(yuan + jiao / 10 + fen / 100);
  }
  const j = JIAO.exec(s);
  if (!j) return undefined;
  const jiao = digit(j[1]);
  const fen = digit(j[2]);
  return jiao === null || fen === null ? null : round(jiao / 10 + fen / 100);
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** Number → decimal string through a fixed-point string, so 0.015 rounds to 0.02 (not float 0.01). */
export function amountToMoney(n: number): Money | null {
  return Number.isFinite(n) ? normalizeMoney(n.toFixed(6)) : null;
}
