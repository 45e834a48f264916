import type { App } from '../../src/app/create-app.ts';
import type { ButtonView, CardView, InputView, TimelineItem } from '../../src/core/card-view.ts';

export interface FeedItem { id: string; revision: number; kind: 'text' | 'card'; card?: CardView; text?: string }

/** Drives the console API the way the page does, and keeps each user's view of their chat. */
export class ConsoleClient {
  private readonly cursors = new Map<string, number>();
  readonly feeds = new Map<string, Map<string, FeedItem>>();

  constructor(private readonly app: App) {}

  async say(user: string, text: string, eventId?: string): Promise<Response> {
    return this.post('/console/api/messages', { user, text, ...(eventId ? { eventId } : {}) });
  }

  async post(path: string, body: unknown): Promise<Response> {
    return this.app.http.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  /** Reads new and updated messages for a user (long-poll up to waitMs). */
  async sync(user: string, waitMs = 0): Promise<FeedItem[]> {
    const after = this.cursors.get(user) ?? 0;
    const res = await this.app.http.request(`/console/api/inbox?user=${user}&after=${after}&waitMs=${waitMs}`);
    const body = (await res.json()) as { messages: FeedItem[]; cursor: number };
    this.cursors.set(user, body.cursor);
    const feed = this.feeds.get(user) ?? new Map<string, FeedItem>();
    for (const m of body.messages) feed.set(m.id, m);
    this.feeds.set(user, feed);
    return body.messages;
  }

  /** Waits until the user's chat holds a message matching `pred` (the app's workers deliver asynchronously). */
  async waitFor(user: string, pred: (m: FeedItem) => boolean, timeoutMs = 10_000): Promise<FeedItem> {
    const deadline = Date.now() + timeoutMs;
    await this.sync(user, 0);
    for (;;) {
      const hit = [...(this.feeds.get(user)?.values() ?? [])].reverse().find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) {
        const seen = [...(this.feeds.get(user)?.values() ?? [])].map((m) => m.text ?? `[card] ${m.card?.title} / ${m.card?.subtitle}`);
        throw new Error(`timed out waiting for a message to ${user}; has: ${JSON.stringify(seen)}`);
      }
      await this.sync(user, 200);
    }
  }

  waitForText(user: string, re: RegExp): Promise<FeedItem> {
    return this.waitFor(user, (m) => m.kind === 'text' && re.test(m.text ?? ''));
  }

  waitForCard(user: string, pred: (c: CardView) => boolean): Promise<FeedItem> {
    return this.waitFor(user, (m) => m.kind === 'card' && !!m.card && pred(m.card));
  }

  /** `revision`: the card revision the user looks at, as the page sends it (an older one is refused). */
  async click(user: string, messageId: string, actionId: string, form: Record<string, string> = {}, eventId?: string, revision?: number): Promise<{ status: number; body: { toast?: { text: string }; error?: { code: string; message: string } } }> {
    const res = await this.post('/console/api/actions', { user, messageId, actionId, form, ...(eventId ? { eventId } : {}), ...(revision !== undefined ? { revision } : {}) });
    return { status: res.status, body: (await res.json()) as { toast?: { text: string }; error?: { code: string; message: string } } };
  }
}

export function buttonsOf(card: CardView | undefined): ButtonView[] {
  return (card?.blocks ?? []).flatMap((b) => (b.type === 'actions' || b.type === 'form' ? b.buttons : []));
}

export function inputsOf(card: CardView | undefined): InputView[] {
  return (card?.blocks ?? []).flatMap((b) => (b.type === 'form' ? b.inputs : []));
}

export function textOf(card: CardView | undefined): string {
  return JSON.stringify(card ?? {});
}

/** The timeline entry whose label starts with `label`. */
export function timelineItem(card: CardView | undefined, label: string): TimelineItem | undefined {
  return (card?.blocks ?? []).flatMap((b) => (b.type === 'timeline' ? b.items : [])).find((i) => i.label.startsWith(label));
}
