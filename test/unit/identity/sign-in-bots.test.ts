import { describe, expect, it } from 'vitest';
import { botSchema } from '../../../src/config/bot-schema.ts';
import { signInBots, signInLinks } from '../../../src/identity/sign-in-bots.ts';
import { feishuHosts } from '../../../src/identity/oauth/feishu.ts';

const feishu = (extra: Record<string, unknown> = {}) => botSchema.parse({
  id: 'fs', platform: 'feishu', domain: 'lark', credentials: { app_id: 'FS_ID', app_secret: 'FS_SECRET' }, sign_in: true, ...extra,
});
const dingtalk = botSchema.parse({ id: 'dt', platform: 'dingtalk', credentials: { client_id: 'DT_ID', client_secret: 'DT_SECRET' }, sign_in: true });
const env: Record<string, string> = { FS_ID: 'cli_x', FS_SECRET: 's1', DT_ID: 'dingx', DT_SECRET: 's2' };
const deps = { secret: (n: string) => env[n], fetch, timeoutMs: 1000, publicUrl: 'https://a.example/approvals' };

describe('which bots offer sign-in', () => {
  it('only enabled Feishu / DingTalk bots with sign_in: true, each with its own app and the documented hosts', () => {
    const bots = signInBots([feishu(), feishu({ id: 'off', sign_in: false }), feishu({ id: 'disabled', enabled: false }), dingtalk], deps);
    expect(bots.map((b) => b.id)).toEqual(['fs', 'dt']);
    const fs = new URL(bots[0]!.client.authorizeUrl('https://a.example/approvals/auth/feishu/fs/callback', 'st'));
    expect(`${fs.origin}${fs.pathname}`).toBe('https://accounts.larksuite.com/open-apis/authen/v1/authorize');
    expect(fs.searchParams.get('client_id')).toBe('cli_x');
    const dt = new URL(bots[1]!.client.authorizeUrl('https://a.example/approvals/auth/dingtalk/dt/callback', 'st'));
    expect(`${dt.origin}${dt.pathname}`).toBe('https://login.dingtalk.com/oauth2/auth');
    expect(feishuHosts('feishu')).toEqual({ accounts: 'https://accounts.feishu.cn', open: 'https://open.feishu.cn' });
    expect(feishuHosts('http://127.0.0.1:9/')).toEqual({ accounts: 'http://127.0.0.1:9', open: 'http://127.0.0.1:9' });
    expect(signInLinks(bots, '/console')).toEqual([
      { platform: 'feishu', bot: 'fs', url: '/auth/feishu/fs/start?return_to=%2Fconsole' },
      { platform: 'dingtalk', bot: 'dt', url: '/auth/dingtalk/dt/start?return_to=%2Fconsole' },
    ]);
  });

  it('sign-in without PUBLIC_URL or without the app secret stops the start with one line naming it', () => {
    expect(() => signInBots([feishu()], { ...deps, publicUrl: undefined })).toThrow(/^PUBLIC_URL: required when bot "fs" has sign_in: true/);
    expect(() => signInBots([dingtalk], { ...deps, secret: (n) => (n === 'DT_SECRET' ? undefined : env[n]) })).toThrow(/credentials\.client_secret: environment variable DT_SECRET is not set/);
    expect(signInBots([feishu({ sign_in: false })], { ...deps, publicUrl: undefined })).toEqual([]);
  });
});
