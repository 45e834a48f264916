/**
 * Cities a business trip goes to, in Chinese and English. Matching returns the name as the user
 * wrote it ("北京" or "Beijing"), since that is what the form shows back.
 */
export const ZH_CITIES: readonly string[] = [
  '北京', '上海', '天津', '重庆', '广州', '深圳', '杭州', '南京', '苏州', '成都', '武汉', '西安', '长沙', '郑州', '济南',
  '青岛', '大连', '沈阳', '长春', '哈尔滨', '石家庄', '太原', '呼和浩特', '合肥', '福州', '厦门', '南昌', '南宁', '海口',
  '三亚', '昆明', '贵阳', '拉萨', '兰州', '西宁', '银川', '乌鲁木齐', '宁波', '温州', '无锡', '常州', '南通', '徐州',
  '扬州', '东莞', '佛山', '珠海', '中山', '惠州', '汕头', '泉州', '烟台', '潍坊', '临沂', '洛阳', '宜昌', '襄阳', '株洲',
  '绍兴', '嘉兴', '金华', '台州', '湖州', '芜湖', '唐山', '保定', '廊坊', '秦皇岛', '鄂尔多斯', '包头', '桂林', '柳州',
  '遵义', '绵阳', '宜宾', '大理', '丽江', '香港', '澳门', '台北', '雄安', '义乌', '昆山', '江阴', '张家港', '镇江', '连云港',
  '东京', '大阪', '首尔', '新加坡', '曼谷', '吉隆坡', '雅加达', '河内', '胡志明市', '迪拜', '伦敦', '巴黎', '柏林', '法兰克福',
  '慕尼黑', '纽约', '旧金山', '洛杉矶', '硅谷', '西雅图', '芝加哥', '多伦多', '温哥华', '悉尼', '墨尔本', '莫斯科', '米兰', '马德里',
];

export const EN_CITIES: readonly string[] = [
  'Beijing', 'Shanghai', 'Tianjin', 'Chongqing', 'Guangzhou', 'Shenzhen', 'Hangzhou', 'Nanjing', 'Suzhou', 'Chengdu', 'Wuhan',
  "Xi'an", 'Xian', 'Changsha', 'Zhengzhou', 'Jinan', 'Qingdao', 'Dalian', 'Shenyang', 'Changchun', 'Harbin', 'Shijiazhuang',
  'Taiyuan', 'Hefei', 'Fuzhou', 'Xiamen', 'Nanchang', 'Nanning', 'Haikou', 'Sanya', 'Kunming', 'Guiyang', 'Lhasa', 'Lanzhou',
  'Urumqi', 'Ningbo', 'Wenzhou', 'Wuxi', 'Changzhou', 'Dongguan', 'Foshan', 'Zhuhai', 'Zhongshan', 'Huizhou', 'Xiamen', 'Yiwu',
  'Hong Kong', 'Macau', 'Macao', 'Taipei', 'Tokyo', 'Osaka', 'Seoul', 'Singapore', 'Bangkok', 'Kuala Lumpur', 'Jakarta', 'Hanoi',
  'Ho Chi Minh City', 'Dubai', 'London', 'Paris', 'Berlin', 'Frankfurt', 'Munich', 'New York', 'San Francisco', 'Los Angeles',
  'Silicon Valley', 'Seattle', 'Chicago', 'Boston', 'Toronto', 'Vancouver', 'Sydney', 'Melbourne', 'Moscow', 'Milan', 'Madrid',
  'Amsterdam', 'Zurich', 'Geneva', 'Stockholm', 'Barcelona', 'Manila', 'Mumbai', 'Delhi', 'Bangalore',
];
