import type { FieldDefinition, IntentDefinition } from '../config/intent-schema.ts';
import type { FieldValue } from './commands.ts';
import { amountToMoney } from './extractors/amount-expression.ts';
import { findDestination } from './extractors/destination-extractor.ts';
import { matchEnumOption } from './extractors/enum-matcher.ts';
import { findItem } from './extractors/item-extractor.ts';
import { findParty, type PartyRole } from './extractors/party-extractor.ts';
import { findPurpose } from './extractors/purpose-extractor.ts';
import { bestQuantity } from './extractors/quantity-extractor.ts';
import { findWarehouse } from './extractors/warehouse-extractor.ts';
import type { TextFindings } from './text-findings.ts';

/**
 * Fills an intent's fields from one message with the deterministic extractors. Typed fields
 * (money, date, month, date_range, enum, number) go by type; free-text fields by their name
 * (destination, payee, item…), since a name says what the text is about. Values are normalized.
 */
type Slots = Record<string, FieldValue>;

const PARTY_FIELDS: Readonly<Record<string, PartyRole>> = {
  payee: 'payee', counterparty: 'counterparty', supplier: 'supplier', vendor: 'supplier', customer: 'counterparty',
};

function textField(field: FieldDefinition, f: TextFindings): string | null {
  const role = PARTY_FIELDS[field.name];
  if (role) return findParty(f.text, role);
  switch (field.name) {
    case 'destination': return findDestination(f.text)?.value ?? null;
    case 'item': return findItem(f.text, f.quantities);
    case 'warehouse': return findWarehouse(f.text);
    case 'contract_no': return f.contractNumbers[0]?.value ?? null;
    case 'purpose': return findPurpose(f.text);
    default: return null;
  }
}

function dayFields(fields: FieldDefinition[], f: TextFindings, slots: Slots): void {
  const dateFields = fields.filter((d) => d.type === 'date');
  const start = dateFields.find((d) => /start|from|begin|depart/.test(d.name));
  const end = dateFields.find((d) => /end|until|to$|return/.test(d.name));
  const range = f.dates.ranges[0];
  if (start && end && range) {
    slots[start.name] = range.value.start;
    slots[end.name] = range.value.end;
    return;
  }
  const single = f.dates.days[0]?.value ?? range?.value.start;
  const target = dateFields.find((d) => d !== end) ?? dateFields[0];
  if (single && target) slots[target.name] = single;
}

export function extractSlots(intent: IntentDefinition, f: TextFindings): Slots {
  const slots: Slots = {};
  for (const field of intent.fields) {
    switch (field.type) {
      case 'money': {
        const best = f.money[0];
        const money = best ? amountToMoney(best.value) : null;
        if (money) slots[field.name] = money;
        break;
      }
      case 'number': {
        const q = bestQuantity(f.quantities);
        if (q) slots[field.name] = q.value;
        break;
      }
      case 'month': {
        const month = f.dates.months[0]?.value ?? (f.dates.ranges[0]?.value.start ?? f.dates.days[0]?.value)?.slice(0, 7);
        if (month) slots[field.name] = month;
        break;
      }
      case 'date_range': {
        const range = f.dates.ranges[0]?.value;
        if (range) slots[field.name] = range;
        break;
      }
      case 'enum': {
        const match = matchEnumOption(field, f.text);
        if (match) slots[field.name] = match.value;
        break;
      }
      case 'text':
      case 'textarea': {
        const value = textField(field, f);
        if (value) slots[field.name] = value;
        break;
      }
      default:
        break;
    }
  }
  dayFields(intent.fields, f, slots);
  return slots;
}
