import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Clock } from '../core/clock.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import type { Database } from '../db/database.ts';
import { approverWaits, pendingPastSla } from '../reports/approver-waits.ts';
import { cycleTimes } from '../reports/cycle-times.ts';
import { requestTimeline } from '../reports/request-timeline.ts';
import { checkDays, dayWindow } from '../reports/report-window.ts';
import { adminTenant } from '../identity/admin-guard.ts';

/** The intent schema's sla_hours default, for requests of an intent no longer in the catalog (as the SLA reminders do). */
const DEFAULT_SLA_HOURS = 24;
const INTENT_KEY = /^[a-z][a-z0-9_]*$/;
const MAX_FILTER_LENGTH = 200;

export interface CycleTimeRouteDeps {
  db: Kysely<Database>;
  catalog: IntentCatalog;
  clock: Clock;
  /** The tenants' time zone: `from` and `to` are its calendar days. */
  timeZone: string;
}

/** An optional filter: absent or empty means none; otherwise it must look like what it names. */
function filter(name: string, value: string | undefined, pattern?: RegExp): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > MAX_FILTER_LENGTH || (pattern && !pattern.test(value))) {
    throw new ValidationError('report.invalid_filter', `${name} "${value.slice(0, 50)}" is not a valid ${name}`);
  }
  return value;
}

/**
 * Admin API of cycle times (mounted at /admin, behind the console token like the rest of /admin/api):
 * `GET /api/cycle-times?from=&to=&intent=&department=&tenant=`: per intent and per requester department, the
 * stages' counts and p50/p90 hours of requests first submitted from `from` to `to` (days in the time zone, both
 * included); pending tasks past their intent's SLA; each approver's waits. `GET /api/requests/:id/timeline`:
 * one request, step by step.
 */
export function cycleTimeRoutes(d: CycleTimeRouteDeps): Hono {
  const r = new Hono();
  r.get('/api/cycle-times', async (c) => {
    const q = c.req.query();
    const tenantId = adminTenant(c);
    const days = checkDays(q['from'], q['to']);
    const intent = filter('intent', q['intent'], INTENT_KEY);
    const department = filter('department', q['department']);
    const now = d.clock.now();
    const { start, end } = await dayWindow(d.db, days.from, days.to, d.timeZone);
    const scope = { tenantId, start, end, intent, department };
    const sla = Object.fromEntries(d.catalog.formIntents.map((i) => [i.key, i.sla_hours]));
    const [times, pending, approvers] = await Promise.all([
      cycleTimes(d.db, scope),
      pendingPastSla(d.db, scope, sla, DEFAULT_SLA_HOURS, now),
      approverWaits(d.db, scope, now),
    ]);
    return c.json({
      tenant: tenantId, from: days.from, to: days.to, timeZone: d.timeZone, window: { start: start.toISOString(), end: end.toISOString() },
      now: now.toISOString(), filters: { intent: intent ?? null, department: department ?? null }, percentile: 'nearest-rank',
      byIntent: times.byIntent, byDepartment: times.byDepartment, pendingPastSla: pending, approvers,
    });
  });
  r.get('/api/requests/:id/timeline', async (c) => {
    const timeline = await requestTimeline(d.db, adminTenant(c), c.req.param('id'));
    if (!timeline) throw new NotFoundError('request.not_found', 'no such request');
    return c.json({ timeline });
  });
  return r;
}
