import type { FieldDefinition } from '../config/intent-schema.ts';
import type { Locale } from '../core/locale.ts';
import { formatMoney, normalizeMoney } from '../core/money.ts';

/** A field value as people read it on a card: ¥3,560.00, enum labels, ranges. */
export function formatFieldValue(field: FieldDefinition, value: unknown, locale: Locale, userName?: (id: string) => string): string {
  if (value === undefined || value === null || value === '') return '—';
  switch (field.type) {
    case 'money': {
      const m = typeof value === 'string' || typeof value === 'number' ? normalizeMoney(value) : null;
      return m ? formatAmount(m) : String(value);
    }
    case 'enum': return field.options?.find((o) => o.value === value)?.label[locale] ?? String(value);
    case 'date_range': {
      const r = value as { start?: string; end?: string };
      return `${r.start ?? '?'} ~ ${r.end ?? '?'}`;
    }
    case 'user': return userName ? userName(String(value)) : String(value);
    default: return String(value);
  }
}

/** The signs of the currencies people here read most; any other shows its ISO code ("USD 1,200.00"). */
const CURRENCY_SIGN: Record<string, string> = { CNY: '¥', RMB: '¥' };

/** An amount with its currency (ISO 4217, CNY when the ERP did not say): "¥3,560.00", "USD 1,200.00". */
export function formatAmount(m: string, currency?: string | null): string {
  const code = (currency ?? 'CNY').toUpperCase();
  const value = formatMoney(normalizeMoney(m) ?? m);
  const sign = CURRENCY_SIGN[code];
  return sign ? `${sign}${value}` : `${code} ${value}`;
}

/** The value placed in an editable input: the raw normalized value, not the display form. */
export function inputValue(field: FieldDefinition, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (field.type === 'date_range') {
    const r = value as { start?: string; end?: string };
    return `${r.start ?? ''}~${r.end ?? ''}`;
  }
  return String(value);
}
