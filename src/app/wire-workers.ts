import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { cardActionHandler } from '../actions/card-action-handler.ts';
import { clickedCardHold } from '../actions/clicked-card-hold.ts';
import { messageHandler } from '../actions/message-handler.ts';
import type { SandboxActions } from '../actions/sandbox-actions.ts';
import type { AppConfig } from '../config/env.ts';
import type { ConversationService } from '../conversation/conversation-service.ts';
import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { AcceptEvent } from '../core/inbound-event.ts';
import type { Locale } from '../core/locale.ts';
import type { Database } from '../db/database.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import { AppError } from '../core/errors.ts';
import type { ErpPushes } from '../erp/erp-push.ts';
import type { ErpService } from '../erp/erp-service.ts';
import type { ErpOriginated } from '../erp/erp-originated.ts';
import { createAccept } from '../inbox/accept-event.ts';
import { InboxWorker } from '../inbox/inbox-worker.ts';
import { JOB_SCHEMAS } from '../jobs/job-kinds.ts';
import type { Metrics } from '../observability/metrics.ts';
import { cardPutHandler } from '../outbox/handlers/card-put.ts';
import { cardSyncHandler } from '../outbox/handlers/card-sync.ts';
import { erpCreateHandler } from '../outbox/handlers/erp-create.ts';
import { erpPushHandler } from '../outbox/handlers/erp-push.ts';
import { erpDecideHandler } from '../outbox/handlers/erp-decide.ts';
import { messageSendHandler } from '../outbox/handlers/message-send.ts';
import { OutboxWorker } from '../outbox/outbox-worker.ts';
import type { MessengerRegistry } from '../platforms/messenger-registry.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import type { IntentVersions } from '../workflow/intent-versions.ts';

/** What both workers share: the database, this process's worker id, the settings, logs and metrics. */
export interface WorkerDeps {
  db: Kysely<Database>;
  config: AppConfig;
  logger: Logger;
  metrics: Metrics;
  workerId: string;
  ids: IdGenerator;
  directory: DirectoryViews;
  approvals: ApprovalService;
  localeOf: (botId: string) => Locale;
}

/** The outbox worker with a handler per job kind: cards and messages to the platforms, documents to the ERP. */
export function wireOutbox(d: WorkerDeps & { messengers: MessengerRegistry; intents: IntentVersions; erp: ErpService; pushes: ErpPushes; originated: ErpOriginated }): OutboxWorker {
  const { db, config, logger, metrics, messengers, intents, localeOf } = d;
  const delivery = { db, messengers, ids: d.ids, logger };
  return new OutboxWorker({
    db, logger, workerId: d.workerId, concurrency: config.workers.concurrency, leaseMs: config.workers.leaseMs, timeoutMs: config.workers.jobTimeoutMs,
    pollMs: config.workers.pollMs,
    schemas: JOB_SCHEMAS,
    handlers: {
      'card.sync': cardSyncHandler({ ...delivery, intents, directory: d.directory, localeOf, timeZone: config.timeZone }),
      'card.put': cardPutHandler(delivery),
      'message.send': messageSendHandler({ db, messengers, intents, localeOf, timeZone: config.timeZone }),
      'erp.create': erpCreateHandler(d.erp),
      'erp.push': erpPushHandler(d.pushes),
      'erp.decide': erpDecideHandler(d.originated),
    },
    onJobDone: (kind, outcome, ms) => { metrics.jobs.inc({ kind, outcome }); metrics.jobDuration.observe({ kind }, ms / 1000); },
    // An ERP document that could not be created shows as failed on the cards until the job is replayed.
    onDeadLetter: async (job, error, cause) => {
      if (job.kind !== 'erp.create') return;
      // The ERP's own words (a refusal's message), without the error class the job's record keeps.
      const reason = cause instanceof Error ? cause.message : error;
      await d.approvals.erpEvent(job.tenantId, job.payload.requestId, { type: 'erp_failed', reason, ...(cause instanceof AppError ? { code: cause.code } : {}) });
    },
  });
}

/**
 * The intake: `accept` stores what the receivers hand it (messages go to the inbox, card clicks are answered at
 * once) and the inbox worker runs the stored messages through the conversation.
 */
export function wireInbox(d: WorkerDeps & { clock: Clock; conversation: ConversationService; sandbox: SandboxActions }): { inbox: InboxWorker; accept: AcceptEvent } {
  const { db, config, clock, conversation, localeOf } = d;
  const inbox: InboxWorker = new InboxWorker({
    db, logger: d.logger, workerId: d.workerId, concurrency: config.workers.concurrency, pollMs: config.workers.pollMs, maxAttempts: 5,
    handle: messageHandler({ db, conversation, clock, localeOf, maxAttempts: config.workers.maxAttempts }),
  });
  const accept = createAccept({
    db, onStored: () => inbox.kick(),
    // Feishu clicks: what they act on comes from the stored card, and the clicked card is PATCHed after the answer.
    onCardAction: clickedCardHold({ db, ids: d.ids, platforms: new Set(['feishu']) },
      cardActionHandler({ db, approvals: d.approvals, conversation, sandbox: d.sandbox, directory: d.directory, clock, localeOf })),
    onEvent: (e, outcome) => d.metrics.inboundEvents.inc({ platform: e.platform, outcome }),
  });
  return { inbox, accept };
}
