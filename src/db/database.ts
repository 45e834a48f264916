import type { ColumnType, Generated, Selectable } from 'kysely';

/** Tables as the migrations create them. snake_case here; repos map rows to camelCase domain objects. */
type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown | null, string | null, string | null>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Numeric = ColumnType<string, string | number, string | number>;

export interface DepartmentsTable { tenant_id: string; id: string; name: string; parent_id: string | null; leader_ids: ColumnType<string[], string[] | undefined, string[]>; updated_at: DefaultTimestamp }
export interface UsersTable {
  tenant_id: string; id: string; name: string; email: string | null; department_id: string | null; manager_id: string | null;
  roles: ColumnType<string[], string[] | undefined, string[]>; active: Generated<boolean>; updated_at: DefaultTimestamp;
}
export interface UserIdentitiesTable { tenant_id: string; user_id: string; platform: string; bot_id: string; external_id: string; last_seen_at: Timestamp | null; created_at: DefaultTimestamp; locale: 'zh' | 'en' | null }
export interface IntentVersionsTable { tenant_id: string; key: string; version: number; content_hash: string; definition: Json; created_at: DefaultTimestamp }
export interface InboxEventsTable {
  id: Generated<number>; tenant_id: string; source: string; event_id: string; kind: string; conversation_key: string; payload: Json;
  status: Generated<string>; attempts: Generated<number>; error: string | null; received_at: DefaultTimestamp; processed_at: Timestamp | null;
}
export interface ConversationLeasesTable { key: string; owner: string; until: Timestamp }
export interface DialogSessionsTable { tenant_id: string; user_id: string; state: Json; version: Generated<number>; expires_at: Timestamp; updated_at: DefaultTimestamp }
export interface RequestCountersTable { tenant_id: string; prefix: string; period: string; last: number }
export interface RequestsTable {
  id: string; tenant_id: string; number: string; intent_key: string; intent_version: number; requester_id: string; status: string;
  current_step: number; revision: number; fields: Json; amount: Numeric | null; route: Json; erp_status: Generated<string>;
  erp_ref: NullableJson; origin: Json; reject_reason: string | null; version: Generated<number>;
  created_at: Timestamp; updated_at: Timestamp; submitted_at: Timestamp; decided_at: Timestamp | null;
  /** What the card shows of a document made in the ERP that this request approves (null: the request began in chat). */
  erp_origin: ColumnType<unknown | null, string | null | undefined, string | null>;
}
export interface ApprovalTasksTable {
  id: string; tenant_id: string; request_id: string; revision: number; step_index: number; approver_id: string; status: string;
  acted_by: string | null; acted_at: Timestamp | null; comment: string | null; transferred_from: string | null;
  reminded_at: Timestamp | null; remind_count: Generated<number>; created_at: Timestamp;
}
export interface CardMessagesTable {
  id: string; tenant_id: string; subject: string; user_id: string; request_id: string | null; platform: string; bot_id: string;
  target: Json; ref: NullableJson; rendered_version: Generated<number>; lease_until: Timestamp | null; lease_token: string | null; sent_at: Timestamp | null;
  created_at: DefaultTimestamp; updated_at: DefaultTimestamp;
}
export interface ConsoleMessagesTable {
  id: string; seq: number; tenant_id: string; bot_id: string; user_id: string; revision: Generated<number>; kind: string;
  card: NullableJson; text: string | null; idempotency_key: string; created_at: DefaultTimestamp; updated_at: DefaultTimestamp;
}
export interface OutboxJobsTable {
  id: Generated<number>; tenant_id: string; kind: string; payload: Json; idempotency_key: string; queue_key: string | null; coalesce_key: string | null; status: Generated<string>;
  attempts: Generated<number>; max_attempts: number; run_at: DefaultTimestamp; locked_by: string | null; locked_until: Timestamp | null;
  last_error: string | null; created_at: DefaultTimestamp; updated_at: DefaultTimestamp; done_at: Timestamp | null;
}
/** floor_seq/floor_hash: where a chain starts after its oldest rows were purged (0/null: it starts at seq 1). */
export interface AuditHeadsTable { tenant_id: string; chain: string; seq: number; hash: string; floor_seq: Generated<number>; floor_hash: string | null }
/** The head of each chain as last authenticated (HMAC under AUDIT_HMAC_KEYS' key_id), and the export's lines (src/audit/). */
export interface AuditHeadMacsTable { tenant_id: string; chain: string; seq: number; hash: string; key_id: string; mac: string; signed_at: Timestamp }
export interface AuditCheckpointsTable { seq: number; at: Timestamp; line: string; delivered_at: Timestamp | null }
/** Refused requests per tenant, source, reason and minute; failed authentications per source and window. */
export interface RefusalCountsTable {
  tenant_id: string; source: string; reason: string; minute: Timestamp; count: number; last_path: string | null; summarized: Generated<boolean>;
}
export interface AuthFailuresTable { source: string; window_start: Timestamp; failures: number; last_reason: string }
export interface AuditLogTable {
  id: Generated<number>; tenant_id: string; chain: string; seq: number; at: Timestamp; actor: string; action: string; source: string;
  subject_type: string; subject_id: string; before: NullableJson; after: NullableJson; meta: NullableJson; prev_hash: string; hash: string;
}
export interface ErpDocumentsTable {
  id: string; tenant_id: string; request_id: string; connector: string; doc_kind: string; external_key: string; erp_id: string | null;
  number: string | null; status: string; amount: Numeric | null; paid_amount: Numeric | null; posted_at: Timestamp | null;
  paid_at: Timestamp | null; bank_ref: string | null; raw: NullableJson; created_at: DefaultTimestamp; updated_at: DefaultTimestamp;
  voucher: string | null; version_stamp: string | null; last_error: string | null; form_id: string | null;
  /** The document's total as the ERP last reported it (the approved amount is `amount`). */
  erp_amount: Numeric | null;
}
export interface ErpSyncCursorsTable {
  tenant_id: string; connector: string; cursor: string | null; updated_at: DefaultTimestamp;
  last_attempt_at: Timestamp | null; last_success_at: Timestamp | null; last_error: string | null; last_error_at: Timestamp | null;
}
export interface ErpPushEventsTable { instance: string; event_id: string; tenant_id: string; received_at: Timestamp }
/** A document made in the ERP that waits for (or had) approval in chat; `decision*`: the last decision sent back. */
export interface ErpOriginatedTable {
  connector: string; erp_id: string; tenant_id: string; doc_kind: string; request_id: string | null; number: string | null; state: string;
  version_stamp: string | null; decision: string | null; decision_revision: number | null; decision_status: string | null; last_error: string | null;
  created_at: Timestamp; updated_at: Timestamp;
}
export interface ErpMasterRecordsTable {
  tenant_id: string; connector: string; kind: string; erp_id: string; code: string | null; name: string;
  aliases: ColumnType<string[], string | undefined, string>; active: ColumnType<boolean, boolean | undefined, boolean>;
  attrs: ColumnType<Record<string, string>, string | undefined, string>; version_stamp: string | null; synced_at: Timestamp; changed_at: Timestamp;
}
/** `matched_by`: email, name, code or manual. */
export interface ErpPersonLinksTable { tenant_id: string; connector: string; user_id: string; erp_id: string; matched_by: string; updated_at: Timestamp }
export interface ReconFindingsTable {
  id: string; tenant_id: string; kind: string; key: string; request_id: string | null; connector: string | null; erp_id: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>; opened_at: Timestamp; last_seen_at: Timestamp;
  closed_at: Timestamp | null; notified_at: Timestamp | null;
}
export interface SandboxErpDocumentsTable {
  id: Generated<number>; tenant_id: string; number: string; doc_kind: string; external_key: string; payload: Json; amount: Numeric;
  status: string; paid_amount: ColumnType<string, string | number | undefined, string | number>; posted_at: Timestamp | null;
  paid_at: Timestamp | null; bank_ref: string | null; version: Generated<number>; modified_at: DefaultTimestamp;
}

export interface AuthSessionsTable {
  token_hash: string; tenant_id: string; user_id: string; via: string; created_at: Timestamp; expires_at: Timestamp;
  revoked_at: Timestamp | null; last_seen_at: Timestamp | null;
}
export interface ServiceTokensTable {
  id: Generated<string>; tenant_id: string; name: string; scopes: ColumnType<string[], string[], string[]>; token_hash: string;
  created_at: Timestamp; expires_at: Timestamp | null; revoked_at: Timestamp | null; last_used_at: Timestamp | null;
}
export interface BootstrapLinksTable {
  token_hash: string; tenant_id: string; created_at: Timestamp; expires_at: Timestamp; used_at: Timestamp | null; used_by: string | null;
}

export interface SignInStatesTable { state_hash: string; bot_id: string; return_to: string; created_at: Timestamp; expires_at: Timestamp }

export interface Database {
  departments: DepartmentsTable;
  users: UsersTable;
  user_identities: UserIdentitiesTable;
  intent_versions: IntentVersionsTable;
  inbox_events: InboxEventsTable;
  conversation_leases: ConversationLeasesTable;
  dialog_sessions: DialogSessionsTable;
  request_counters: RequestCountersTable;
  requests: RequestsTable;
  approval_tasks: ApprovalTasksTable;
  card_messages: CardMessagesTable;
  console_messages: ConsoleMessagesTable;
  outbox_jobs: OutboxJobsTable;
  audit_heads: AuditHeadsTable;
  audit_log: AuditLogTable;
  audit_head_macs: AuditHeadMacsTable;
  audit_checkpoints: AuditCheckpointsTable;
  refusal_counts: RefusalCountsTable;
  auth_failures: AuthFailuresTable;
  erp_documents: ErpDocumentsTable;
  erp_sync_cursors: ErpSyncCursorsTable;
  erp_push_events: ErpPushEventsTable;
  sandbox_erp_documents: SandboxErpDocumentsTable;
  erp_originated: ErpOriginatedTable;
  erp_master_records: ErpMasterRecordsTable;
  erp_person_links: ErpPersonLinksTable;
  recon_findings: ReconFindingsTable;
  auth_sessions: AuthSessionsTable;
  service_tokens: ServiceTokensTable;
  bootstrap_links: BootstrapLinksTable;
  sign_in_states: SignInStatesTable;
}

export type RequestRow = Selectable<RequestsTable>;
export type TaskRow = Selectable<ApprovalTasksTable>;
export type OutboxJobRow = Selectable<OutboxJobsTable>;
