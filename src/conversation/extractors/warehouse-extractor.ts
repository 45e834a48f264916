/**
 * The warehouse to take stock from: "二号仓库", "A区仓库", "原料仓", "3号库房", "warehouse B", "Main warehouse".
 */
const ZH = /(?:从|在|去|到|于|^|[，,：:\s])\s*([A-Za-z0-9一二三四五六七八九十零]+号?(?:仓库|库房|仓)|[\p{Script=Han}A-Za-z0-9]{1,6}?(?:仓库|库房|仓))(?!库|管|储|位)/u;
const EN = /\b(warehouse\s+(?:no\.?\s*)?[A-Z0-9]+\b|(?:[A-Z][a-z]*|[A-Z0-9]+)\s+warehouse)\b/;
const NOT_WAREHOUSE = /^(?:仓库|库房|仓|的仓库|领仓库)$/;

export function findWarehouse(text: string): string | null {
  const zh = ZH.exec(text);
  const value = zh?.[1]?.replace(/^(?:我要|要|我|领|领料|领用|的)+/, '');
  if (value && !NOT_WAREHOUSE.test(value)) return value;
  const en = EN.exec(text);
  return en?.[1] && !/^(?:the|a|from)\s/i.test(en[1]) ? en[1] : null;
}
