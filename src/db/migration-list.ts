import type { Migration } from 'kysely';
import * as foundation from '../../migrations/2026_11_23_0100_foundation.ts';
import * as rateLimits from '../../migrations/2026_11_23_0200_rate_limits.ts';
import * as groupCommit from '../../migrations/2026_11_23_0300_group_commit.ts';
import * as coalesceLock from '../../migrations/2026_11_23_0400_coalesce_lock.ts';
import * as cardLeaseToken from '../../migrations/2026_11_23_0500_card_lease_token.ts';
import * as rateLimitSlots from '../../migrations/2026_11_23_0600_rate_limit_slots.ts';
import * as cardMessageLookup from '../../migrations/2026_11_23_0700_card_message_lookup.ts';
import * as chatLocale from '../../migrations/2026_11_23_0800_chat_locale.ts';
import * as retentionIndexes from '../../migrations/2026_11_23_0900_retention_indexes.ts';
import * as singleWriters from '../../migrations/2026_11_23_0910_single_writers.ts';
import * as erpConnectors from '../../migrations/2026_12_05_0100_erp_connectors.ts';
import * as erpOriginMasterRecon from '../../migrations/2026_12_05_0200_erp_origin_master_recon.ts';
import * as identity from '../../migrations/2026_12_06_0100_identity.ts';
import * as auditHeads from '../../migrations/2026_12_06_0130_audit_heads.ts';
import * as signInStates from '../../migrations/2026_12_06_0110_sign_in_states.ts';

/**
 * Every migration, by name (applied in name order). Imported statically so the same list works under
 * tsx, vitest and a bundler; add a line here with each new file in migrations/.
 */
export const migrations: Record<string, Migration> = {
  '2026_11_23_0100_foundation': foundation,
  '2026_11_23_0200_rate_limits': rateLimits,
  '2026_11_23_0300_group_commit': groupCommit,
  '2026_11_23_0400_coalesce_lock': coalesceLock,
  '2026_11_23_0500_card_lease_token': cardLeaseToken,
  '2026_11_23_0600_rate_limit_slots': rateLimitSlots,
  '2026_11_23_0700_card_message_lookup': cardMessageLookup,
  '2026_11_23_0800_chat_locale': chatLocale,
  '2026_11_23_0900_retention_indexes': retentionIndexes,
  '2026_11_23_0910_single_writers': singleWriters,
  '2026_12_05_0100_erp_connectors': erpConnectors,
  '2026_12_05_0200_erp_origin_master_recon': erpOriginMasterRecon,
  '2026_12_06_0100_identity': identity,
  '2026_12_06_0130_audit_heads': auditHeads,
  '2026_12_06_0110_sign_in_states': signInStates,
};
