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
    return new RestErpConnector(instance.id, client, settings, instance.push !== null);
  },
};
