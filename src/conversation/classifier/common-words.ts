/**
 * Everyday English words that sit one edit away from a catalog keyword ("were"/"wire", "least"/
 * "lease", "older"/"order", "hosted"/"posted"). They are known words, so typo tolerance never
 * rewrites them. The catalog's own text adds the rest of the known words.
 */
export const COMMON_ENGLISH = [
  'were', 'where', 'there', 'their', 'then', 'than', 'them', 'they', 'what', 'when', 'with', 'which', 'will', 'would', 'could', 'should',
  'have', 'been', 'this', 'that', 'these', 'those', 'from', 'into', 'your', 'yours', 'please', 'thanks', 'okay', 'also', 'just', 'only',
  'still', 'again', 'over', 'some', 'more', 'most', 'very', 'much', 'many', 'last', 'next', 'week', 'today', 'yesterday', 'tomorrow', 'month',
  'year', 'total', 'about', 'pays', 'paid', 'need', 'want', 'like', 'make', 'made', 'take', 'took', 'give', 'gave', 'sent', 'send', 'done',
  'gone', 'back', 'here', 'able', 'least', 'older', 'hosted', 'poster', 'cost', 'costs', 'trap', 'grip', 'drip', 'trim', 'tried', 'clam',
  'motel', 'hotels', 'border', 'ladder', 'laser', 'lesser', 'wore', 'wise', 'fire', 'hire', 'tire', 'wide', 'oder', 'orders', 'meat', 'mail',
  'claw', 'flight', 'fight', 'light', 'right', 'night', 'sight', 'might', 'budge', 'fudge', 'judge', 'stack', 'stick', 'stuck', 'state',
  'status', 'travel', 'trips', 'cash', 'card', 'cards', 'data', 'date', 'dates', 'items', 'item', 'name', 'names', 'time', 'times',
];
