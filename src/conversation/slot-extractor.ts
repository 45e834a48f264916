import type { FieldDefinition, IntentDefinition } from '../config/intent-schema.ts';
import type { SlotRole } from '../config/slot-roles.ts';
import type { FieldValue } from './commands.ts';
import { amountToMoney } from './extractors/amount-expression.ts';
import { findDestination } from './extractors/destination-extractor.ts';
import { matchEnumOption } from './extractors/enum-matcher.ts';
import { findItem } from './extractors/item-extractor.ts';
import { findModel } from './extractors/model-extractor.ts';
import { findParty, findPartyMention } from './extractors/party-extractor.ts';
import { findPurpose } from './extractors/purpose-extractor.ts';
import { bestQuantity } from './extractors/quantity-extractor.ts';
import { maskSpans, type Span } from './extractors/span.ts';
import { findWarehouse, findWarehouseMention } from './extractors/warehouse-extractor.ts';
import type { TextFindings } from './text-findings.ts';

/**
 * Fills an intent's fields from one message with the deterministic extractors. Typed fields
 * (money, date, month, date_range, enum, number) go by type; free-text fields by the role their
 * YAML declares (`extract: warehouse | supplier | payee | item …`, config/slot-roles.ts), never by
 * their name. Spans are picked by role: a warehouse ("苏州仓") or a supplier phrase ("从晨光买",
 * "from Dell") is claimed first, so the item is read from what is left. Values are normalized.
 */
type Slots = Record<string, FieldValue>;

/** The spans that belong to a place or a party: whatever else a message names, they are not the item. */
function itemText(f: TextFindings): string {
  const claimed: Span[] = [];
  const warehouse = findWarehouseMention(f.text);
  if (warehouse) claimed.push(warehouse);
  const supplier = findPartyMention(f.text, 'supplier');
  if (supplier) claimed.push(supplier);
  return maskSpans(f.text, claimed);
}

function textField(role: SlotRole, f: TextFindings): string | null {
  switch (role) {
    case 'payee':
    case 'counterparty':
    case 'supplier': return findParty(f.text, role);
    case 'destination': return findDestination(f.text)?.value ?? null;
    case 'item': return findItem(itemText(f), f.quantities);
    case 'model': return findModel(f.text);
    case 'warehouse': return findWarehouse(f.text);
    case 'contract_no': return f.contractNumbers[0]?.value ?? null;
    case 'purpose': return findPurpose(f.text);
    default: return null;
  }
}

function dayFields(fields: FieldDefinition[], f: TextFindings, slots: Slots): void {
  const dateFields = fields.filter((d) => d.type === 'date');
  const start = dateFields.find((d) => d.extract === 'range_start');
  const end = dateFields.find((d) => d.extract === 'range_end');
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
        const value = field.extract ? textField(field.extract, f) : null;
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
