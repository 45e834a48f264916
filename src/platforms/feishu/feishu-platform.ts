import * as lark from '@larksuiteoapi/node-sdk';
import type { Hono } from 'hono';
import type { FeishuBotConfig } from '../../config/bot-schema.ts';
import type { DirectorySource, Messenger, PlatformDeps, Receiver } from '../platform.ts';
import { callFeishu, type FeishuRequester } from './api-call.ts';
import { createFeishuMessenger } from './api-client.ts';
import { createFeishuDirectory } from './directory.ts';
import { sdkLogger } from './logger.ts';
import { createTokenCache } from './token-cache.ts';
import { createFeishuWebhook } from './webhook.ts';
import { createFeishuWsReceiver } from './ws-receiver.ts';

export interface FeishuSecrets { appId: string; appSecret: string; encryptKey?: string; verificationToken?: string }

export interface FeishuPlatform { receivers: Receiver[]; messenger: Messenger; directory: DirectorySource; webhook?: Hono }

/** `feishu` | `lark` | a base URL (private deployment, fakes) → the SDK's `domain` option (docs/platforms/feishu.md §1, §5.3). */
export function sdkDomain(domain: string): lark.Domain | string {
  if (domain === 'feishu') return lark.Domain.Feishu;
  if (domain === 'lark') return lark.Domain.Lark;
  return domain.replace(/\/+$/, '');
}

const FEISHU_HTTP_TIMEOUT_MS = 15_000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createFeishuPlatform(cfg: FeishuBotConfig, secrets: FeishuSecrets, deps: PlatformDeps): FeishuPlatform {
  const sleep = deps.sleep ?? defaultSleep;
  const tokenCache = createTokenCache(deps.clock);
  const sdk = new lark.Client({
    appId: secrets.appId,
    appSecret: secrets.appSecret,
    domain: sdkDomain(cfg.domain),
    cache: tokenCache,
    logger: sdkLogger(deps.logger, 'feishu-client'),
  });
  // A hung connection must not hold an outbox slot: every OpenAPI call has a deadline (axios `timeout`).
  const client: FeishuRequester = { request: (p) => sdk.request({ ...p, timeout: FEISHU_HTTP_TIMEOUT_MS }) };
  const common = { client, limiter: deps.limiter, sleep, appId: secrets.appId };
  const messenger = createFeishuMessenger({ ...common, botId: cfg.id, onTokenInvalid: () => tokenCache.clear() });
  const directory = createFeishuDirectory(common);

  let botOpenId: string | undefined;
  const loadBotIdentity = async (): Promise<void> => {
    try {
      const res = await callFeishu<{ code?: number; bot?: { open_id?: string } }>(client, { method: 'GET', url: '/open-apis/bot/v3/info' }, {
        limiter: deps.limiter, sleep, permits: [{ key: `feishu:${secrets.appId}:app`, perSecond: 50 }],
      });
      botOpenId = res.bot?.open_id;
    } catch (e: unknown) {
      deps.logger.warn({ botId: cfg.id, err: e instanceof Error ? e.message : String(e) }, 'feishu bot info unavailable; group @-mentions matched by mention type');
    }
  };
  const withIdentity = (r: Receiver): Receiver => ({
    id: r.id,
    async start(accept) { await loadBotIdentity(); await r.start(accept); },
    stop: () => r.stop(),
  });

  if (cfg.transport === 'websocket') {
    const ws = createFeishuWsReceiver({
      botId: cfg.id, tenantId: cfg.tenant, appId: secrets.appId, appSecret: secrets.appSecret, domain: sdkDomain(cfg.domain),
      clock: deps.clock, logger: deps.logger, botOpenId: () => botOpenId, locale: cfg.locale,
    });
    return { receivers: [withIdentity(ws)], messenger, directory };
  }
  if (!secrets.encryptKey && !secrets.verificationToken) {
    // bots/*.yaml cannot get here (check:config requires the token for webhooks); only hand-built configs.
    deps.logger.warn({ botId: cfg.id }, 'feishu webhook has neither encrypt key nor verification token: requests cannot be authenticated');
  }
  const { app, receiver } = createFeishuWebhook({
    botId: cfg.id, tenantId: cfg.tenant, clock: deps.clock, logger: deps.logger, onRejected: deps.onRejected,
    security: { encryptKey: secrets.encryptKey, verificationToken: secrets.verificationToken },
    botOpenId: () => botOpenId, locale: cfg.locale,
  });
  return { receivers: [withIdentity(receiver)], messenger, directory, webhook: app };
}
