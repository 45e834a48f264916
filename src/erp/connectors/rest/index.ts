import { ConfigError } from '../../../core/errors.ts';
import type { ConnectorKind } from '../../connector-kind.ts';
import { RestAdapterClient } from './client.ts';
import { RestErpConnector } from './connector.ts';
import { restSettingsSchema, type RestSettings } from './settings.ts';

export { RestErpConnector } from './connector.ts';
export { restSettingsSchema, type RestSettings } from './settings.ts';

/**
 * `kind: rest`: any ERP behind an adapter service that meets docs/erp-rest-contract.openapi.yaml (how to write one:
 * docs/erp-rest-adapter.md). Credentials: `token`, the adapter's bearer token.
 */
export const restKind: ConnectorKind<RestSettings> = {
  kind: 'rest',
  credentials: ['token'],
  settings: restSettingsSchema,
  create(instance, settings, deps) {
    const token = instance.credentials.token;
    if (!token) throw new ConfigError(`${instance.file}: credentials.token is required for kind rest`);
    const client = new RestAdapterClient({
      instance: instance.id, baseUrl: instance.baseUrl, pathPrefix: settings.path_prefix, token, timeoutMs: instance.timeoutMs,
      headers: settings.headers, clock: deps.clock, ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    // Approvals of ERP documents decide through the adapter, and only for the kinds it brings to chat.
    if (instance.approvals.length && !settings.decisions) {
      throw new ConfigError(`${instance.file}: approvals need settings.decisions: true (the adapter's POST /documents/by-id/{id}/decide)`);
    }
    const stray = instance.approvals.map((a) => a.docKind).filter((k) => !(settings.originated_kinds as readonly string[]).includes(k));
    if (stray.length) {
      throw new ConfigError(`${instance.file}: approvals name ${stray.join(', ')}, not in settings.originated_kinds (${settings.originated_kinds.join(', ')})`);
    }
    return new RestErpConnector(instance.id, client, settings, instance.push !== null, instance.masterData?.kinds ?? null);
  },
};
