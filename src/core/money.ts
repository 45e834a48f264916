/**
 * Money is a decimal string with two places ("3560.00"), never a float. Arithmetic and comparisons
 * go through integer fen (BigInt) so 0.1 + 0.2 problems cannot reach an approval condition.
 */
export type Money = string;

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Digits with commas in them: the commas must be thousands separators. */
const GROUPED_RUN = /\d[\d,，]*\d/g;
const THOUSANDS = /^\d{1,3}(?:[,，]\d{3})+$/;

/**
 * `s` without its thousands separators, or null when a comma sits where no thousands separator can ("1,2,3",
 * "12,34"): such a text is not read as 123 or 1234 but refused, so the person is asked again.
 */
export function dropThousandsSeparators(s: string): string | null {
  for (const m of s.matchAll(GROUPED_RUN)) {
    if (/[,，]/.test(m[0]) && !THOUSANDS.test(m[0])) return null;
  }
  return s.replace(/[,，]/g, '');
}

/** Normalizes "1,250.5" / "¥8,999" / 3560 to "1250.50"; returns null when it is not a plain amount. */
export function normalizeMoney(input: string | number): Money | null {
  const raw = typeof input === 'number' ? (Number.isFinite(input) ? input.toFixed(2) : '') : dropThousandsSeparators(input);
  if (raw === null) return null;
  const s = raw.replace(/[¥￥\s]|元|CNY|RMB/gi, '');
  if (!DECIMAL.test(s)) return null;
  return fenToMoney(moneyToFen(s));
}

/** Integer fen; rounds half away from zero at the third decimal. */
export function moneyToFen(m: string): bigint {
  const neg = m.startsWith('-');
  const [int = '0', frac = ''] = (neg ? m.slice(1) : m).split('.');
  const padded = (frac + '000').slice(0, 3);
  let fen = BigInt(int) * 100n + BigInt(padded.slice(0, 2));
  if (Number(padded[2]) >= 5) fen += 1n;
  return neg ? -fen : fen;
}

export function fenToMoney(fen: bigint): Money {
  const neg = fen < 0n;
  const abs = neg ? -fen : fen;
  const s = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return neg ? `-${s}` : s;
}

/** -1, 0 or 1. */
export function compareMoney(a: string, b: string): number {
  const d = moneyToFen(a) - moneyToFen(b);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

/** "12,345.60" for display; the currency sign is the caller's choice. */
export function formatMoney(m: string): string {
  const [int = '0', frac = '00'] = m.replace('-', '').split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${m.startsWith('-') ? '-' : ''}${grouped}.${frac}`;
}
