import { ConfigError } from '../../../core/errors.ts';
import type { ConnectorKind } from '../../connector-kind.ts';
import { KingdeeClient } from './client.ts';
import { KingdeeConnector } from './connector.ts';
import { kingdeeSettingsSchema, resolveForms, type KingdeeSettings } from './settings.ts';

/**
 * Kingdee K3 Cloud (金蝶云星空) WebAPI. Instance file: `kind: kingdee`, `base_url` the site root (…/K3Cloud),
 * `credentials: { app_id: …, app_secret: …, username: … }` (environment variable names: the third-party app's id and
 * secret from 第三方系统登录授权, and the integration user, not Administrator), and `settings:` (settings.ts; `acct_id`
 * is the account set's id, not a secret, so it sits there).
 */
export const kingdeeKind: ConnectorKind<KingdeeSettings> = {
  kind: 'kingdee',
  credentials: ['app_id', 'app_secret', 'username'],
  settings: kingdeeSettingsSchema,
  create(instance, settings, deps) {
    const missing = kingdeeKind.credentials.filter((c) => !instance.credentials[c]);
    if (missing.length) throw new ConfigError(`${instance.file}: credentials: ${missing.join(', ')} missing for a kingdee instance`);
    const client = new KingdeeClient({
      baseUrl: instance.baseUrl, acctId: settings.acct_id, username: instance.credentials.username ?? '',
      appId: instance.credentials.app_id ?? '', appSecret: instance.credentials.app_secret ?? '', lcid: settings.lcid,
      login: settings.login, timeoutMs: instance.timeoutMs, clock: deps.clock,
      lockRetry: { attempts: settings.lock_retry.attempts, backoffMs: settings.lock_retry.backoff_ms },
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    return new KingdeeConnector(instance.id, settings, client, resolveForms(settings), deps.clock, {
      approvalKinds: instance.approvals.map((a) => a.docKind), masterKinds: instance.masterData?.kinds ?? null,
    });
  },
};
