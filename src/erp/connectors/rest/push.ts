import { z } from 'zod';
import { ValidationError } from '../../../core/errors.ts';
import type { PushNotice } from '../../erp-connector.ts';
import { REST_DOC_KINDS } from './settings.ts';
import { describeIssues } from './status.ts';

/**
 * The body an adapter pushes to `POST /webhooks/erp/<instance>` (the contract's `webhooks.documentsChanged`,
 * schema `PushBody`). The service checks the signature, time window and event id before this runs; the body only
 * names documents, which the service then reads back from the adapter.
 */
export const pushBodySchema = z.object({
  event_id: z.string().min(1).max(200),
  documents: z.array(z.object({
    id: z.string().min(1).max(100).optional(),
    external_key: z.string().min(1).max(200).optional(),
    doc_kind: z.enum(REST_DOC_KINDS).optional(),
  }).strict().refine((d) => d.id !== undefined || d.external_key !== undefined, 'needs id or external_key')).min(1).max(500),
});

export function parseRestPush(body: unknown): PushNotice {
  const r = pushBodySchema.safeParse(body);
  if (!r.success) throw new ValidationError('erp.push_invalid', `push body does not match the contract: ${describeIssues(r.error)}`);
  return {
    eventId: r.data.event_id,
    documents: r.data.documents.map((d) => ({
      ...(d.id !== undefined ? { id: d.id } : {}),
      ...(d.external_key !== undefined ? { externalKey: d.external_key } : {}),
      ...(d.doc_kind !== undefined ? { docKind: d.doc_kind } : {}),
    })),
  };
}
