import { Hono } from 'hono';
import type { DirectorySync } from '../directory/directory-sync.ts';

/**
 * Admin API for the platform directory sync (mounted at /admin next to admin-routes.ts):
 * `POST /api/directory/sync` syncs every Feishu/DingTalk bot, `?bot=<id>` one of them. Answers with the counts.
 */
export function directoryAdminRoutes(sync: DirectorySync): Hono {
  const r = new Hono();
  r.post('/api/directory/sync', async (c) => {
    const bot = c.req.query('bot');
    return c.json({ synced: await sync.run(bot === undefined || bot === '' ? undefined : bot) });
  });
  return r;
}
