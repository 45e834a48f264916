import { describe, expect, it } from 'vitest';
import { findContractNumbers } from '../../../src/conversation/extractors/contract-number-extractor.ts';
import { findDestination } from '../../../src/conversation/extractors/destination-extractor.ts';
import { matchEnumOption } from '../../../src/conversation/extractors/enum-matcher.ts';
import { findParty, type PartyRole } from '../../../src/conversation/extractors/party-extractor.ts';
import { findPurpose } from '../../../src/conversation/extractors/purpose-extractor.ts';
import { findWarehouse } from '../../../src/conversation/extractors/warehouse-extractor.ts';
import { field } from './catalog-fixture.ts';

describe('parties', () => {
  it.each<[string, PartyRole, string]>([
    ['给华为付款12万', 'payee', '华为'],
    ['要付供应商中通的运费2100元', 'payee', '中通'],
    ['付京东的货款', 'payee', '京东'],
    ['收款方：腾讯云，金额2.3万', 'payee', '腾讯云'],
    ['把尾款打给海康', 'payee', '海康'],
    ['付款给深圳市某某科技有限公司', 'payee', '深圳市某某科技有限公司'],
    ['pay ACME Ltd 15,000 by Friday', 'payee', 'ACME Ltd'],
    ['payment to Initech Ltd of 12k', 'payee', 'Initech Ltd'],
    ['wire 25k to Northwind Traders', 'payee', 'Northwind Traders'],
    ['发起一份和华为云的技术服务合同', 'counterparty', '华为云'],
    ['销售合同：客户是宁德时代，金额90万', 'counterparty', '宁德时代'],
    ['与小米签订销售协议', 'counterparty', '小米'],
    ['跟顺丰签个物流服务协议', 'counterparty', '顺丰'],
    ['purchase agreement with Bosch for 2.4 million', 'counterparty', 'Bosch'],
    ['sales agreement with Siemens AG worth 1.5 million', 'counterparty', 'Siemens AG'],
    ['4 keyboards from Logitech, budget 1800', 'supplier', 'Logitech'],
    ['要采购一台交换机，找华为买', 'supplier', '华为'],
    ['供应商是宜家，总价1.6万', 'supplier', '宜家'],
    ['向得力订购打印纸100箱', 'supplier', '得力'],
  ])('%s (%s) → %s', (text, role, expected) => {
    expect(findParty(text, role)).toBe(expected);
  });
  it('ignores pronouns', () => {
    expect(findParty('给我报销', 'payee')).toBeNull();
  });
});

describe('destination', () => {
  it.each([
    ['上个月去西安出差', '西安'], ['10月8日到10月10日在上海见客户', '上海'], ['差旅，珠海，1,380.40元', '珠海'], ['去杭州出差三天', '杭州'],
    ['从上海去成都出差', '成都'], ['去义乌出差两天', '义乌'], ['trip to Beijing last week', 'Beijing'], ['I flew to Hong Kong', 'Hong Kong'],
    ["business trip to Xi'an", "Xi'an"], ['travelled to Nantong for an audit', 'Nantong'], ['在新加坡参加展会', '新加坡'], ['went to New York', 'New York'],
    ['飞青岛开会', '青岛'], ['前往武汉做项目验收', '武汉'], ['去乌鲁木齐出差', '乌鲁木齐'],
  ])('%s → %s', (text, expected) => {
    expect(findDestination(text)?.value).toBe(expected);
  });
  it('finds nothing without a place', () => {
    expect(findDestination('报销差旅费3000')).toBeNull();
  });
});

describe('contract numbers, warehouses, purposes', () => {
  it.each([
    ['合同号HT-2026-018', 'HT-2026-018'], ['合同编号：CG-2025-033', 'CG-2025-033'], ['contract CON20260015', 'CON20260015'], ['PO-2026-11-003 付款', 'PO-2026-11-003'],
    ['contract no. 2026/118', '2026/118'], ['ref HT2026001', 'HT2026001'],
  ])('contract number in %s', (text, expected) => {
    expect(findContractNumbers(text)[0]?.value).toBe(expected);
  });
  it.each(['A4纸50箱', 'M6螺母 800个', '2026年11月'])('no contract number in %s', (text) => {
    expect(findContractNumbers(text)).toEqual([]);
  });
  it.each([
    ['从三号库房领200米网线', '三号库房'], ['去成品库房领取包装箱', '成品库房'], ['从原料仓领两吨钢板', '原料仓'], ['A区仓库领轴承', 'A区仓库'],
    ['withdraw 15 bearings from warehouse B', 'warehouse B'], ['from the Main warehouse', 'Main warehouse'],
  ])('warehouse in %s', (text, expected) => {
    expect(findWarehouse(text)).toBe(expected);
  });
  it.each([
    ['10月8日到10月10日去上海见客户，共2800', '见客户'], ['事由：参加行业峰会', '参加行业峰会'], ['去南京培训', '培训'], ['flew to Chengdu for a client meeting', 'client meeting'],
    ['trip to Wuhan to visit a supplier', 'visit a supplier'],
  ])('purpose in %s', (text, expected) => {
    expect(findPurpose(text)).toBe(expected);
  });
});

describe('enum options by synonym', () => {
  const category = field('expense_claim', 'category');
  const contractType = field('contract_approval', 'contract_type');
  it.each([
    ['报销前天招待客户吃饭的钱', 'entertainment'], ['打车费报销', 'transport'], ['买了两个键盘', 'office'], ['这个月的话费', 'communication'], ['加班餐费', 'meal'],
    ['停车费30', 'transport'], ['taxi ride', 'transport'], ['client dinner', 'entertainment'], ['team lunch', 'meal'], ['phone bill', 'communication'],
    ['printer toner', 'office'], ['宽带费', 'communication'], ['宴请供应商', 'entertainment'], ['餐费', 'meal'], ['Meal', 'meal'], ['其他', 'other'],
  ])('category: %s → %s', (text, expected) => {
    expect(matchEnumOption(category, text)?.value).toBe(expected);
  });
  it.each([
    ['服务合同', 'service'], ['销售合同：客户是宁德时代', 'sales'], ['a purchase agreement with Bosch', 'purchase'], ['a consulting contract', 'service'], ['采购合同', 'purchase'],
    ['保密协议', 'other'], ['sales', 'sales'], ['service agreement', 'service'],
  ])('contract type: %s → %s', (text, expected) => {
    expect(matchEnumOption(contractType, text)?.value).toBe(expected);
  });
  it('finds nothing unrelated', () => {
    expect(matchEnumOption(category, '你好')).toBeNull();
  });
});
