import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ErpInstance, ErpKind } from '../config/erp-instances.ts';
import type { Clock } from '../core/clock.ts';
import type { ErpConnector } from './erp-connector.ts';

/** What a connector gets besides its instance: the clock (business times), a logger, and the fetch to use. */
export interface ConnectorDeps {
  clock: Clock;
  logger: Logger;
  /** Another fetch (tests record or break requests); default: the global one. */
  fetch?: typeof fetch;
}

/**
 * One kind of ERP (src/erp/connectors/<kind>/index.ts): the credentials it reads from the instance file, the schema
 * of the file's `settings:` block, and how to make a connector for one instance.
 */
export interface ConnectorKind<S = unknown> {
  readonly kind: ErpKind;
  /** The names under `credentials:` this kind needs (each names an environment variable). */
  readonly credentials: readonly string[];
  readonly settings: z.ZodType<S>;
  create(instance: ErpInstance, settings: S, deps: ConnectorDeps): ErpConnector;
}
