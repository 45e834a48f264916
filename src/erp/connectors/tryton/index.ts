import type { ConnectorKind } from '../../connector-kind.ts';
import { TrytonConnector } from './connector.ts';
import { trytonSettingsSchema, type TrytonSettings } from './settings.ts';

/**
 * Tryton 6.0 (JSON-RPC): `kind: tryton` instance files. Credentials: `login` and `password` of a Tryton user with the
 * groups Account and Purchase (not an administrator); for purchase requisitions approved in chat also "Purchase
 * Requisition Approval" and "Purchase Requisition" (a rejection's note), with the approvers' employees among its
 * `employees` so Tryton records who approved. Settings: settings.ts.
 */
export const trytonKind: ConnectorKind<TrytonSettings> = {
  kind: 'tryton',
  credentials: ['login', 'password'],
  settings: trytonSettingsSchema,
  create: (instance, settings, deps) => new TrytonConnector(instance, settings, deps),
};

export { TrytonConnector } from './connector.ts';
export { TrytonMasterData } from './master.ts';
export { TRYTON_MASTER_KINDS } from './master-specs.ts';
export { TrytonRequisitions } from './requisitions.ts';
export { trytonSettingsSchema, type TrytonSettings } from './settings.ts';
