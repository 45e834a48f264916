/**
 * Numbers written with Chinese numerals or mixed with Arabic digits: "一千二" = 1200, "两万五" = 25000,
 * "6万5" = 65000, "1.2万" = 12000, "三百零五" = 305, "十五" = 15, "二〇二六" = 2026.
 * A bare digit after a unit means the next lower unit (口语省略: 一千二 = 1200, not 1002).
 */
const DIGITS: Readonly<Record<string, number>> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 三: 3, 叁: 3, 四: 4, 肆: 4, 五: 5, 伍: 5,
  六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};
const SMALL_UNITS: Readonly<Record<string, number>> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const BIG_UNITS: Readonly<Record<string, number>> = { 万: 10_000, 萬: 10_000, 亿: 100_000_000 };

/** Parses a whole numeral string; null when it is not one. */
export function parseChineseNumber(input: string): number | null {
  const s = input.replace(/\s+/g, '');
  if (s === '') return null;
  if (/^[零〇一二三四五六七八九]{2,}$/.test(s) && !/[十百千万]/.test(s)) {
    return Number([...s].map((c) => DIGITS[c]).join(''));
  }
  let total = 0;
  let section = 0;
  let num: number | null = null;
  let lastUnit = 0;
  let afterZero = false;
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    const arabic = /^\d+(?:\.\d+)?/.exec(rest);
    if (arabic) {
      if (num !== null) return null;
      num = Number(arabic[0]);
      i += arabic[0].length;
      continue;
    }
    const c = s[i] as string;
    i += 1;
    if (c in DIGITS) {
      const d = DIGITS[c] as number;
      if (d === 0) { afterZero = true; num = null; continue; }
      if (num !== null) return null;
      num = d;
    } else if (c in SMALL_UNITS) {
      const u = SMALL_UNITS[c] as number;
      section += (num ?? 1) * u;
      num = null;
      lastUnit = u;
      afterZero = false;
    } else if (c in BIG_UNITS) {
      const u = BIG_UNITS[c] as number;
      section += num ?? 0;
      total = (total + section) * u;
      section = 0;
      num = null;
      lastUnit = u;
      afterZero = false;
    } else {
      return null;
    }
  }
  if (num !== null) {
    // 口语省略: a trailing single digit right after a unit is one unit lower (两万五 → 25000).
    const elided = lastUnit >= 100 && !afterZero && Number.isInteger(num) && num < 10;
    section += elided ? num * (lastUnit / 10) : num;
  }
  const value = Math.round((total + section) * 1e6) / 1e6;
  return Number.isFinite(value) && (value > 0 || /[零〇0]/.test(s)) ? value : null;
}
