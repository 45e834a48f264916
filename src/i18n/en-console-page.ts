/**
 * console.page: the web console's sign-in state (src/platforms/console/page.ts), in English; spread into en.ts.
 * zh-console-page.ts has the same keys. Platform names come from signIn.platform.*.
 */
export const enConsolePage = {
  'console.page.signedInAs': 'Signed in as {name}',
  'console.page.demo': 'demo mode: acting as any user, for this machine only',
  'console.page.signInPrompt': 'Sign in with your work account to use the console.',
  'console.page.signInWith': 'Sign in with {platform}',
  'console.page.noSignIn': 'Sign-in is not set up on this service yet; ask an administrator.',
  'console.page.sessionFailed': 'session: HTTP {status}',
} as const;
