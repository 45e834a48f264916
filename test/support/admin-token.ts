import type { App } from '../../src/app/create-app.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createServiceToken } from '../../src/identity/service-tokens.ts';

/** A service token for the admin API (both scopes by default), and the header that sends it. */
export async function adminToken(app: App, tenantId = 'default', scopes: string[] = ['admin:read', 'admin:write']): Promise<{ token: string; headers: { authorization: string } }> {
  const { token } = await createServiceToken(app.db.db, { tenantId, name: 'test-admin', scopes }, systemClock);
  return { token, headers: { authorization: `Bearer ${token}` } };
}
