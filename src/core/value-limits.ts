import { compareMoney, type Money } from './money.ts';

/**
 * Ranges every value has to stay within whatever an intent allows, because of where it is stored.
 * Amounts go to `numeric(18,2)` columns (requests.amount, erp_documents, the sandbox ledger: migrations/
 * 2026_11_23_0100_foundation.ts): 18 digits, 2 after the point, so at most 16 before it. A larger amount makes
 * PostgreSQL raise 22003 numeric_value_out_of_range in the middle of the submit; it is refused when typed instead.
 */
export const MONEY_COLUMN_MAX: Money = '9999999999999999.99';

/** Numbers (quantities) are kept in JSON as JavaScript numbers: beyond this they are no longer exact integers. */
export const NUMBER_MAX = Number.MAX_SAFE_INTEGER;

/** Dates a form takes unless its field says otherwise: years of four digits that make sense for a business record. */
export const DATE_MIN = '1900-01-01';
export const DATE_MAX = '2100-12-31';

/** True when `m` fits the amount columns (either sign). */
export function moneyFitsColumn(m: Money): boolean {
  const abs = m.startsWith('-') ? m.slice(1) : m;
  return compareMoney(abs, MONEY_COLUMN_MAX) <= 0;
}
