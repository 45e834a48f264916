/**
 * Why a trip happened: after a label (事由/目的/purpose) or from a purpose verb to the next
 * punctuation ("在上海见客户，" → 见客户; "for a client meeting" → a client meeting).
 */
const LABELLED = /(?:事由|目的|原因|purpose|reason)\s*(?:是|为|:|：)?\s*([^，,。；;\n]{2,40})/i;
const ZH_VERB = /((?:见|拜访|拜会|会见|走访|参加|出席|参会|开会|洽谈|谈|签约|签|培训|考察|调研|支持|交付|验收|面试|招聘|实施|部署|维修|巡检|审计|参展|路演|汇报|沟通)[^，,。；;\d]{0,15})/u;
const EN = /\b(?:for|to)\s+((?:a|an|the)\s+)?((?:meet|visit|attend|see|train|audit|install|support|negotiate|inspect|check|present|demo|pitch|sign|deliver|repair|fix|survey|tour|review|interview)\s+[^,.;\d]{2,30}|(?:client|customer|business|sales|project|team|board|partner|supplier|vendor|annual|trade|product|factory|quality|site)?\s*(?:meeting|conference|training|visit|workshop|exhibition|expo|summit|audit|installation|negotiation|kickoff|kick-off|onsite|interview|fair|trade show|show|launch|demo|inspection|review|seminar|forum|presentation|signing|roadshow)s?)/i;

export function findPurpose(text: string): string | null {
  const labelled = LABELLED.exec(text);
  if (labelled?.[1]) return labelled[1].trim();
  const zh = ZH_VERB.exec(text);
  if (zh?.[1]) return zh[1].replace(/(?:花了|一共|共|用了|费用|报销|的费用|的钱|的)$/, '').trim();
  const en = EN.exec(text);
  return en?.[2] ? en[2].trim() : null;
}
