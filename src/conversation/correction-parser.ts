/**
 * Splits a correction into the field phrase and the new value: "金额改成3000", "目的地改为上海",
 * "change the date to yesterday", "the amount should be 3000", "actually it was 2800".
 */
export interface Correction {
  fieldPhrase: string;
  value: string;
}

const ZH = /^(?:不对[，,]?\s*|错了[，,]?\s*|哦[，,]?\s*|那个|把)?(.{0,10}?)\s*(?:改成|改为|改一下为?|换成|换为|更正为|修改为|修改成|变成|变更为|应该是|应为|调整为|调成|写成|填成|改到|其实是|实际是|实际上是)\s*[:：]?\s*(.+?)[。.!！]?$/u;
const EN = [
  /^(?:please\s+)?(?:change|set|update|make|correct|fix|switch|edit)\s+(?:the\s+|my\s+)?(.+?)\s+(?:to|=|as|into)\s+(.+?)[.!]?$/i,
  /^(?:actually,?\s+|no,?\s+)?(?:the\s+|my\s+)?(.+?)\s+(?:should\s+be|must\s+be|is\s+actually|was\s+actually|is\s+now)\s+(.+?)[.!]?$/i,
  /^(?:actually,?\s+|no,?\s+)(?:the\s+)?(.+?)\s+(?:is|was)\s+(.+?)[.!]?$/i,
  /^(?:actually|no|correction)[,:]?\s+(?:it\s+(?:is|was)\s+|make\s+it\s+)?()(.+?)[.!]?$/i,
  /^make\s+it\s+()(.+?)[.!]?$/i,
];

export function parseCorrection(text: string): Correction | null {
  const t = text.trim();
  const zh = ZH.exec(t);
  if (zh?.[2]) return { fieldPhrase: (zh[1] ?? '').trim(), value: zh[2].trim() };
  for (const re of EN) {
    const m = re.exec(t);
    if (m?.[2]) return { fieldPhrase: (m[1] ?? '').trim(), value: m[2].trim() };
  }
  return null;
}
