import type { CardView } from '../core/card-view.ts';
import type { Clock } from '../core/clock.ts';
import type { AcceptEvent, ChatTarget, InboundEvent, MessageRef, PlatformName } from '../core/inbound-event.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** The logger shape platform adapters receive (a pino logger satisfies it). */
export interface PlatformLogger {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

/** What every platform factory receives from the composition root. */
export interface PlatformDeps {
  logger: PlatformLogger;
  clock: Clock;
  /** One limiter shared by every bot and replica (platform quotas are per app, not per process). */
  limiter: RateLimiter;
  /** Audit hook for rejected inbound requests (bad signature, stale timestamp, wrong token…). */
  /** May return a promise: receivers await it before refusing, so the refusal is on record first. */
  onRejected?: (reason: string, meta: Record<string, unknown>) => unknown;
  /** Waits (429 resets, reconnect backoff); injectable for tests. Defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The synchronous answer to an inbound event. Messages get `{}` as soon as they are in the inbox;
 * card actions may carry a toast and/or the updated card (Feishu: within 3 s, DingTalk: within 2 s).
 */

/** Inbound transport. Verifies, normalizes, calls `accept`, acks. No business logic. */
export interface Receiver {
  readonly id: string;
  start(accept: AcceptEvent): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Outbound messaging. Called only by outbox handlers, so every call may be a retry:
 * `idempotencyKey` must make a repeated send return the first message, not a second one.
 */
export interface Messenger {
  readonly platform: PlatformName;
  readonly botId: string;
  sendCard(to: ChatTarget, card: CardView, opts: { idempotencyKey: string }): Promise<MessageRef>;
  /** Throws ExternalServiceError code `card.too_old` when the platform no longer allows updates. */
  updateCard(ref: MessageRef, card: CardView): Promise<void>;
  sendText(to: ChatTarget, text: string, opts: { idempotencyKey: string }): Promise<MessageRef>;
}

/** The directory port a platform implements (users, departments, managers); defined by the directory it feeds. */
export type { DirectoryDepartment, DirectorySource, DirectoryUser } from '../directory/directory-source.ts';
