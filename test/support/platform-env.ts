import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DEMO_USERS, writeDirectoryFile, type FixtureUser } from './directory-fixture.ts';

/** Test bots and a directory whose people have Feishu and/or DingTalk identities, written to a temp dir. */
export const FEISHU_BOT = 'feishu-test';
export const DINGTALK_BOT = 'dingtalk-test';
export const FEISHU_SECRETS = { appId: 'cli_a1b2c3d4e5f60718', appSecret: 'fs-secret', encryptKey: 'enc-key-story', verificationToken: 'vt-story-token' };
export const DINGTALK_SECRETS = { clientId: 'dingclientstory', clientSecret: 'dt-secret' };

/** Secret values by env NAME, as the bot YAMLs below name them. */
export const SECRETS: Record<string, string> = {
  FEISHU_APP_ID: FEISHU_SECRETS.appId, FEISHU_APP_SECRET: FEISHU_SECRETS.appSecret,
  FEISHU_ENCRYPT_KEY: FEISHU_SECRETS.encryptKey, FEISHU_VERIFICATION_TOKEN: FEISHU_SECRETS.verificationToken,
  DT_CLIENT_ID: DINGTALK_SECRETS.clientId, DT_CLIENT_SECRET: DINGTALK_SECRETS.clientSecret,
};
export const secrets = (name: string): string | undefined => SECRETS[name];

export const feishuOpenId = (user: string): string => `ou_${user}`;
export const dingtalkStaffId = (user: string): string => `staff_${user}`;

export interface PeopleOn { feishu?: string[]; dingtalk?: string[] }

export function feishuBot(fakeUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: FEISHU_BOT, platform: 'feishu', tenant: 'default', transport: 'webhook', domain: fakeUrl, directory_sync_minutes: 0,
    credentials: { app_id: 'FEISHU_APP_ID', app_secret: 'FEISHU_APP_SECRET', encrypt_key: 'FEISHU_ENCRYPT_KEY', verification_token: 'FEISHU_VERIFICATION_TOKEN' },
    ...extra,
  };
}

export function dingtalkBot(fakeUrl: string): Record<string, unknown> {
  return {
    id: DINGTALK_BOT, platform: 'dingtalk', tenant: 'default', api_base: fakeUrl, oapi_base: fakeUrl,
    gateway: `${fakeUrl}/v1.0/gateway/connections/open`, directory_sync_minutes: 0,
    credentials: { client_id: 'DT_CLIENT_ID', client_secret: 'DT_CLIENT_SECRET' },
    card_templates: { form: 'tpl-form.schema', approval: 'tpl-approval.schema', status: 'tpl-status.schema' },
  };
}

/**
 * BOTS_DIR + DIRECTORY_FILE env for startApp. People: zhangsan (sales, manager lisi), lisi (sales lead),
 * wangwu and zhaoliu (finance: two approvers for the any-of finance step), admin. `on` picks who gets which identity.
 */
export function writePlatformEnv(bots: Record<string, unknown>[], on: PeopleOn): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-bots-'));
  for (const b of bots) writeFileSync(join(dir, `${String(b['id'])}.yaml`), stringify(b));
  const identities = (user: string) => [
    ...(on.feishu?.includes(user) ? [{ platform: 'feishu', bot: FEISHU_BOT, id: feishuOpenId(user) }] : []),
    ...(on.dingtalk?.includes(user) ? [{ platform: 'dingtalk', bot: DINGTALK_BOT, id: dingtalkStaffId(user) }] : []),
  ];
  const zhaoliu: FixtureUser = { id: 'zhaoliu', name: '赵六', department: 'finance', manager: 'admin', roles: ['employee', 'finance'] };
  const people = [...DEMO_USERS.slice(0, 3), zhaoliu, ...DEMO_USERS.slice(3)];
  const file = writeDirectoryFile(people.map((u) => ({ ...u, identities: identities(u.id) })));
  return { BOTS_DIR: dir, DIRECTORY_FILE: file };
}

/** Polls `probe` until it returns a value (not undefined / false), or fails with `what`. */
export async function waitUntil<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
