/** bootstrap: the one-time admin link's pages (src/identity/bootstrap-routes.ts); zh-bootstrap.ts has the same keys. */
export const enBootstrap = {
  'bootstrap.invalid': 'This sign-in link was already used, has expired or is not known. Restart the service for a new one, or sign in with Feishu or DingTalk.',
  'bootstrap.noAdmin': 'Nobody in the directory has the admin role yet. Give someone roles: [admin] in the directory file and open this link again.',
} as const;
