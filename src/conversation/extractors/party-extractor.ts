import { readOrganization } from './organization-name.ts';
import type { Span } from './span.ts';

/**
 * The other party of a payment, contract or purchase, named after a trigger word. Each role has
 * its triggers, most explicit first: labels (收款方：/客户是/supplier:), then prepositions
 * (给/向/和/与/跟/找 · to/with/from), then bare verbs (付京东的货款 · pay ACME).
 */
export type PartyRole = 'payee' | 'counterparty' | 'supplier';

const TRIGGERS: Readonly<Record<PartyRole, readonly RegExp[]>> = {
  payee: [
    /(?:收款方|收款人|收款单位|收款账户|供应商|payee|vendor|supplier|beneficiary)\s*(?:是|为|:|：)?\s*/gi,
    /(?:收款对象|付款对象|对象)\s*(?:是|为|:|：)\s*/g,
    /(?:付给|支付给|转给|打给|汇给|结给|付款给|打款给|转账给|还给)\s*/g,
    /(?:转到|打到|汇到|转入|打入)\s*(?![我你他她])/g,
    /\b(?:invoice|bill)\s+from\s+/gi,
    /(?:给|向)\s*(?=\S+?(?:付|支付|打款|转账|汇款|结算|结款|还款|买单))/g,
    // "付款 8万 给东方建工": 给 right after the sum being paid names who gets it.
    /(?<=(?:\d|[万千元整块]|钱|款)\s*)给\s*(?![我你他她])/g,
    // "给诚信律所 9000": 给 a name followed straight by the sum.
    /给\s*(?![我你他她])(?=[^\s，,。；;：:\d]{2,20}\s*\d)/g,
    /(?:\bpay(?:ing|ment)?\s+(?:to\s+)?|\bremit\s+(?:to\s+)?|\bwire\s+(?:to\s+)?|\btransfer\s+to\s+|\bpayable\s+to\s+|\bto\s+)/gi,
    /(?:支付|付|结清|结)\s*(?!款|费|钱)/g,
  ],
  counterparty: [
    /(?:合同对方|对方|客户|甲方|乙方|供应商|服务商|合作方|counterparty|client|customer|vendor|supplier|partner)\s*(?:是|为|:|：)\s*/gi,
    /(?:甲方|乙方|合同对方)\s*/g,
    /(?:和|与|跟|同)\s*/g,
    /\b(?:with|between us and)\s+/gi,
    /(?:客户|供应商|服务商)\s*/g,
  ],
  supplier: [
    /(?:供应商|供货商|供货方|厂家|厂商|商家|卖家|vendor|supplier|seller)\s*(?:是|为|:|：)?\s*/gi,
    /(?:找|向|从|跟|在|通过)\s*(?=\S+?(?:买|采购|购买|订购|订|下单|进货|拿货))/g,
    /\b(?:from|via|through)\s+/gi,
  ],
};

/** A party named in a message: `value` is the name, the span covers its trigger too ("从晨光", "from Dell"). */
export interface PartyMention extends Span {
  value: string;
}

export function findPartyMention(text: string, role: PartyRole): PartyMention | null {
  for (const trigger of TRIGGERS[role]) {
    for (const m of text.matchAll(trigger)) {
      const from = m.index + m[0].length;
      const name = readOrganization(text, from);
      if (!name) continue;
      const at = text.indexOf(name, from);
      return { start: m.index, end: at < 0 ? from : at + name.length, value: name };
    }
  }
  return null;
}

export function findParty(text: string, role: PartyRole): string | null {
  return findPartyMention(text, role)?.value ?? null;
}
