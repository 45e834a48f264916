import type { enSignIn } from './en-sign-in.ts';

/** signIn: 飞书 / 钉钉登录的页面（src/identity/sign-in-routes.ts），中文；与 en-sign-in.ts 同键。 */
export const zhSignIn: { readonly [K in keyof typeof enSignIn]: string } = {
  /** The page's lang attribute (BCP 47). */
  'signIn.htmlLang': 'zh-CN',
  'signIn.title': '登录',
  'signIn.platform.feishu': '飞书',
  'signIn.platform.dingtalk': '钉钉',
  'signIn.again': '重新登录',
  'signIn.noSuchBot': '此地址没有登录入口。',
  'signIn.badState': '本次登录已过期、已使用过，或是在另一个浏览器中发起的。请重新登录。',
  'signIn.denied': '你没有同意使用{platform}登录。',
  'signIn.unknownPerson': '你已登录{platform}，但本系统的通讯录中没有你。请联系管理员添加。',
  'signIn.inactive': '你在本系统的账号已停用。如有疑问请联系管理员。',
  'signIn.refused': '{platform}拒绝了本次登录（错误码 {code}）。请重新登录；如果一直失败，请告知管理员。',
  'signIn.unreachable': '{platform}未能及时响应，请稍后再试。',
  'signIn.busy': '正在进行的登录过多，请几分钟后再试。',
  'signIn.csrf': '退出登录需要页面的安全令牌（x-csrf-token）。',
  'signIn.codeRequired': '缺少授权码（code）。',
};
