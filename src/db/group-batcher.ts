export interface GroupBatcherOptions<I, O> {
  /** Runs one batch: an answer per item, in the items' order. */
  run: (items: I[]) => Promise<O[]>;
  /** Batches on the wire at once; items arriving meanwhile wait and go together in the next one. */
  maxInFlight: number;
  /** Most items in one batch. */
  maxBatch: number;
  /** Told the size of every batch run (metrics). */
  onBatch?: (size: number) => void;
}

interface Waiting<I, O> { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }

/**
 * Groups concurrent calls into batches (group commit, batched reads). An item that arrives while fewer
 * than `maxInFlight` batches are running goes out at once, so a quiet system adds no latency; under load,
 * the items that arrive while batches run share the next one: one round trip for many callers.
 *
 * If a batch fails as a whole, each of its items is run alone, so only the item at fault fails (a batch
 * that is one transaction has then written nothing, and the others are written by their own runs).
 */
export class GroupBatcher<I, O> {
  private readonly queue: Waiting<I, O>[] = [];
  private inFlight = 0;

  constructor(private readonly o: GroupBatcherOptions<I, O>) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.o.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.o.maxBatch);
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const outs = await this.run(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(outs[i] as O));
    } catch (e: unknown) {
      if (batch.length === 1) {
        batch[0]?.reject(e);
        return;
      }
      await Promise.all(batch.map(async (w) => {
        try {
          w.resolve((await this.run([w.item]))[0] as O);
        } catch (err: unknown) {
          w.reject(err);
        }
      }));
    }
  }

  private async run(items: I[]): Promise<O[]> {
    this.o.onBatch?.(items.length);
    const outs = await this.o.run(items);
    if (outs.length !== items.length) throw new Error(`a batch of ${items.length} got ${outs.length} answers`);
    return outs;
  }
}
