import { findContractNumbers, type ContractNumberMention } from './extractors/contract-number-extractor.ts';
import { findDates, type DateFindings } from './extractors/date-extractor.ts';
import { findMoney, type MoneyMention } from './extractors/money-extractor.ts';
import { findQuantities, type QuantityMention } from './extractors/quantity-extractor.ts';

/**
 * What the span-based extractors found in one message, computed once per turn. Order matters:
 * dates, counts and document numbers claim their characters before money looks at the rest.
 */
export interface TextFindings {
  text: string;
  dates: DateFindings;
  quantities: QuantityMention[];
  contractNumbers: ContractNumberMention[];
  money: MoneyMention[];
}

export function analyzeText(text: string, now: Date, timeZone: string): TextFindings {
  const dates = findDates(text, now, timeZone);
  const quantities = findQuantities(text);
  const contractNumbers = findContractNumbers(text);
  const masks = [
    ...dates.mentions,
    ...quantities.filter((q) => !q.vague || q.value !== 1),
    ...contractNumbers,
  ];
  return { text, dates, quantities, contractNumbers, money: findMoney(text, masks) };
}
