import type { DingtalkBotConfig } from '../../config/bot-schema.ts';
import type { DirectorySource, Messenger, PlatformDeps, Receiver } from '../platform.ts';
import { createAccessTokenSource } from './access-token.ts';
import { createDingtalkMessenger } from './api-client.ts';
import { createDingtalkDirectory } from './directory.ts';
import { createDingtalkHttp } from './open-api.ts';
import { createStreamSource, type StreamSource } from './stream-client.ts';
import { createDingtalkStreamReceiver } from './stream-receiver.ts';

export interface DingtalkSecrets { clientId: string; clientSecret: string; robotCode?: string }

export interface DingtalkPlatform { receivers: Receiver[]; messenger: Messenger; directory: DirectorySource }

/** Test seams beyond PlatformDeps: HTTP client and a stream source replacement. */
export interface DingtalkPlatformOptions {
  fetch?: typeof fetch;
  streamSource?: StreamSource;
  stream?: { baseBackoffMs?: number; maxBackoffMs?: number; heartbeatMs?: number };
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createDingtalkPlatform(cfg: DingtalkBotConfig, secrets: DingtalkSecrets, deps: PlatformDeps, options: DingtalkPlatformOptions = {}): DingtalkPlatform {
  const fetchFn = options.fetch ?? fetch;
  const apiBase = cfg.api_base.replace(/\/+$/, '');
  const token = createAccessTokenSource({ apiBase, clientId: secrets.clientId, clientSecret: secrets.clientSecret, clock: deps.clock, fetch: fetchFn });
  const http = createDingtalkHttp({
    apiBase, oapiBase: cfg.oapi_base.replace(/\/+$/, ''), clientId: secrets.clientId, token, limiter: deps.limiter,
    fetch: fetchFn, sleep: deps.sleep ?? defaultSleep,
  });
  const messenger = createDingtalkMessenger({
    botId: cfg.id,
    // For internal-app robots robotCode is the AppKey / clientId (DingTalk doc '创建并投放卡片', imGroupOpenDeliverModel.robotCode).
    robotCode: secrets.robotCode ?? secrets.clientId,
    templates: cfg.card_templates,
    locale: cfg.locale,
    http,
  });
  const source = options.streamSource ?? createStreamSource({
    clientId: secrets.clientId, clientSecret: secrets.clientSecret, gateway: cfg.gateway, fetch: fetchFn, logger: deps.logger, ...options.stream,
  });
  const receiver = createDingtalkStreamReceiver({ botId: cfg.id, tenantId: cfg.tenant, source, clock: deps.clock, logger: deps.logger });
  return { receivers: [receiver], messenger, directory: createDingtalkDirectory(http) };
}
