/**
 * signIn: the pages of signing in with Feishu or DingTalk (src/identity/sign-in-routes.ts), in English; spread into
 * en.ts. zh-sign-in.ts has the same keys.
 */
export const enSignIn = {
  /** The page's lang attribute (BCP 47). */
  'signIn.htmlLang': 'en',
  'signIn.title': 'Sign-in',
  'signIn.platform.feishu': 'Feishu',
  'signIn.platform.dingtalk': 'DingTalk',
  'signIn.again': 'Sign in again',
  'signIn.noSuchBot': 'There is no sign-in at this address.',
  'signIn.badState': 'This sign-in expired, was already used, or was started in another browser. Please start again.',
  'signIn.denied': 'You did not allow signing in with {platform}.',
  'signIn.unknownPerson': 'You signed in to {platform}, but you are not in this organization’s directory here. Ask an administrator to add you.',
  'signIn.inactive': 'Your account here is no longer active. Ask an administrator if this is a mistake.',
  'signIn.refused': '{platform} refused the sign-in (code {code}). Please start again; if it keeps failing, tell an administrator.',
  'signIn.unreachable': '{platform} did not answer in time. Please try again in a moment.',
  'signIn.busy': 'Too many sign-ins are in progress. Please try again in a few minutes.',
  'signIn.csrf': 'Sign-out needs the page’s security token (x-csrf-token).',
  'signIn.codeRequired': 'An authorization code (code) is required.',
} as const;
