import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/env.ts';
import { ConversationService } from '../conversation/conversation-service.ts';
import { createResolver } from '../conversation/create-resolver.ts';
import { recordLlmTurn } from './llm-metrics.ts';
import type { IntentResolver } from '../conversation/resolver.ts';
import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import { DirectoryViews } from '../directory/directory-view.ts';
import type { Metrics } from '../observability/metrics.ts';
import { ApprovalService } from '../workflow/approval-service.ts';
import { IntentVersions } from '../workflow/intent-versions.ts';
import type { Settings } from './wire-config.ts';
import { masterLookups } from './wire-master-data.ts';

export interface ServiceDeps {
  db: Kysely<Database>;
  config: AppConfig;
  settings: Settings;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  metrics: Metrics;
  /** The intent resolver to use; by default the one config.nlu.mode names. */
  resolver?: IntentResolver;
  /** After a commit that queued jobs: wakes the outbox. */
  kick: () => void;
}

/** The services behind every platform: intent versions, the directory views, approvals and the chat dialog. */
export function wireServices(d: ServiceDeps): { intents: IntentVersions; directory: DirectoryViews; approvals: ApprovalService; conversation: ConversationService } {
  const { db, config, clock, ids, logger, kick } = d;
  const { catalog } = d.settings;
  const intents = new IntentVersions(db, catalog);
  const directory = new DirectoryViews(db);
  const resolver = d.resolver ?? createResolver({ mode: config.nlu.mode, catalog, openai: config.nlu.openai, logger, onLlmStats: (st) => recordLlmTurn(d.metrics, st) });
  const approvals = new ApprovalService({
    db, clock, ids, directory, timeZone: config.timeZone, maxAttempts: config.workers.maxAttempts, onCommitted: kick,
    onCommitBatch: (n) => d.metrics.commitBatch.observe(n), intents,
  });
  const conversation = new ConversationService({
    db, catalog, intents, resolver, approvals, directory, clock, ids, logger, timeZone: config.timeZone, maxAttempts: config.workers.maxAttempts, onCommitted: kick,
    ...masterLookups(d.settings),
  });
  return { intents, directory, approvals, conversation };
}
