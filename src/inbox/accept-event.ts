import type { Kysely } from 'kysely';
import type { InboundCardAction, InboundEvent } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import type { AckReply, AcceptEvent } from '../core/inbound-event.ts';
import { InboxBatcher } from './inbox-batcher.ts';
import { describeUnsafeText, findUnsafeText } from '../core/text-input.ts';

export interface AcceptDeps {
  db: Kysely<Database>;
  onCardAction: (e: InboundCardAction) => Promise<AckReply>;
  /** A new message is in the inbox: wake this process's inbox worker. */
  onStored: () => void;
  onEvent?: (e: InboundEvent, outcome: 'stored' | 'duplicate' | 'action') => void;
}

/**
 * What every receiver calls. Messages are stored (once per source + event id) and acked at once; the
 * inbox worker handles them. Card actions are answered synchronously, within the platform's deadline.
 * Concurrent messages share one multi-row insert (InboxBatcher): one round trip and one commit per batch.
 */
export function createAccept(d: AcceptDeps): AcceptEvent {
  const inbox = new InboxBatcher(d.db);
  return async (e) => {
    // The last fence for every platform (webhooks, long connections, the console): an event whose ids or text hold
    // what PostgreSQL cannot store is refused here, before the inbox or a click's transaction would fail on it.
    const unsafe = findUnsafeText(e);
    if (unsafe) return { status: 400, error: { code: 'request.invalid_text', message: describeUnsafeText(unsafe, 'event') } };
    if (e.kind === 'card_action') {
      d.onEvent?.(e, 'action');
      return d.onCardAction(e);
    }
    const id = await inbox.insert(e);
    d.onEvent?.(e, id === null ? 'duplicate' : 'stored');
    if (id === null) return { status: 200 };
    d.onStored();
    return { status: 202 };
  };
}
