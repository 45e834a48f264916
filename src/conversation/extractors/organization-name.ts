/**
 * Reads an organization name that starts at a given point of a message: Chinese up to the next
 * verb / particle / number ("华为付款12万" → 华为, "腾讯的维保合同" → 腾讯), full company
 * names up to 公司/集团, English as a run of capitalized words ("ACME Ltd 15,000" → ACME Ltd).
 */
const COMPANY = /^([\p{Script=Han}A-Za-z0-9（）()·&]{1,24}?(?:股份有限公司|有限责任公司|有限公司|分公司|公司|集团|银行|事务所|研究院|研究所|大学|医院|工作室|商行|厂))/u;
const ZH_STOP = /的|付款|付|支付|打款|转账|汇款|结算|结款|签订|签署|签约|签|买|采购|购买|订购|订|下单|领|合同|协议|服务|金额|一共|总共|共|预算|货款|尾款|首款|预付款|款|运费|费|申请|审批|发起|提交|了|吧|呢|那|这|一笔|一份|一个|一批|大概|大约|约|价值|总价|报价|，|,|。|；|;|：|:|！|!|？|\?|、|\s|\d|¥|￥/u;
const ROLE_PREFIX = /^(?:供应商|客户|收款方|收款人|收款单位|对方|甲方|乙方|公司|厂家|商家|服务商|对方公司)\s*(?:是|为|:|：)?\s*/;
const PRONOUN = /^(我|你|他|她|我们|你们|他们|大家|自己|领导|老板|财务|一下|这个|那个|它)$/;
const EN_NAME = /^((?:[A-Z][\w&.'-]*|\d+[A-Za-z][\w&.'-]*)(?:\s+(?:[A-Z][\w&.'-]*|&|and|of)){0,5})/;
const EN_TAIL = /\s+(?:and|of|&)$/;
const EN_NOT_NAME = /^(?:I|The|A|An|My|Our|This|That|It|Please|Pay|Friday|Monday|Tuesday|Wednesday|Thursday|Saturday|Sunday|Today|Tomorrow|Next|Last|CNY|RMB)$/;

export function readOrganization(text: string, from: number): string | null {
  let rest = text.slice(from).replace(/^\s*(?:是|为|:|：)?\s*/, '');
  rest = rest.replace(ROLE_PREFIX, '');
  // Latin names are capitalized ("Globex", "TP-Link"); a lowercase word after "payment" is just English ("payment request to …").
  if (/^[a-z]/.test(rest)) return null;
  if (/^[A-Z0-9]/.test(rest) && /^[\w&.'-]*[A-Za-z]/.test(rest)) {
    const m = EN_NAME.exec(rest);
    const name = m?.[1]?.replace(EN_TAIL, '').replace(/[.,]$/, '').trim();
    if (name && /[A-Z]/.test(name) && !EN_NOT_NAME.test(name)) return name;
    return null;
  }
  const company = COMPANY.exec(rest);
  if (company?.[1] && !ZH_STOP.test(company[1].replace(/(股份有限公司|有限责任公司|有限公司|分公司|公司|集团|银行|事务所|研究院|研究所|大学|医院|工作室|商行|厂)$/, ''))) {
    return company[1];
  }
  const stop = ZH_STOP.exec(rest);
  const name = (stop ? rest.slice(0, stop.index) : rest).slice(0, 16).trim();
  if (name.length < 2 && !/^[A-Za-z]/.test(name)) return null;
  if (PRONOUN.test(name) || !/[\p{Script=Han}A-Za-z]/u.test(name)) return null;
  return name;
}
