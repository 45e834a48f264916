/** console.page: the web console's sign-in state, in Chinese; spread into zh.ts. Same keys as en-console-page.ts. */
export const zhConsolePage = {
  'console.page.signedInAs': '当前登录：{name}',
  'console.page.demo': '演示模式：可代任意用户操作，仅限本机',
  'console.page.signInPrompt': '请用工作账号登录后使用控制台。',
  'console.page.signInWith': '使用{platform}登录',
  'console.page.noSignIn': '本服务尚未配置登录，请联系管理员。',
  'console.page.sessionFailed': '会话：HTTP {status}',
} as const;
