import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BotConfig } from '../config/bot-schema.ts';
import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import { DirectorySync } from '../directory/directory-sync.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import { createPlatforms, type Platforms } from '../platforms/create-platforms.ts';
import { MessengerRegistry } from '../platforms/messenger-registry.ts';

export interface PlatformWiringDeps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  fetch?: typeof fetch;
  /** Bot secrets by environment variable name. */
  secrets: (name: string) => string | undefined;
  /** Invalidated when a platform directory sync changed a tenant's people. */
  directory: DirectoryViews;
}

/** Every enabled bot's receivers, messengers and HTTP mounts, and the directory sync over their platforms. */
export async function wirePlatforms(bots: BotConfig[], d: PlatformWiringDeps): Promise<{ platforms: Platforms; messengers: MessengerRegistry; directorySync: DirectorySync }> {
  const { db, logger } = d;
  const messengers = new MessengerRegistry();
  const platforms = await createPlatforms(bots, { db, clock: d.clock, ids: d.ids, logger, fetch: d.fetch, secrets: d.secrets });
  for (const m of platforms.messengers) messengers.add(m);
  const directorySync = new DirectorySync({ db, logger, bots: platforms.directories, onSynced: (tenantId) => d.directory.invalidate(tenantId) });
  return { platforms, messengers, directorySync };
}
