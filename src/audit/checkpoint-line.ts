import { createHash } from 'node:crypto';
import type { AuditKeys } from './audit-keys.ts';
import { canonicalJson } from './canonical-json.ts';

/** One chain head as exported: tenant, chain, seq, row hash, and the head's own MAC with its key id. */
export interface CheckpointHead { t: string; c: string; s: number; h: string; k: string; m: string }

/**
 * One line of the append-only export. `prev` is the SHA-256 of the previous line's text (64 zeros for the first), so
 * a dropped line breaks the link and `seq` jumps; `m` is the HMAC of the rest (canonical JSON) under key `k`, so an
 * edited line, or a line forged whole, does not verify without the key.
 */
export interface CheckpointLine { v: 1; seq: number; at: string; prev: string; heads: CheckpointHead[]; k: string; m: string }

export const FIRST_PREV = '0'.repeat(64);

export function lineHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function macText(l: Omit<CheckpointLine, 'k' | 'm'>): string {
  return `audit-checkpoint\n${canonicalJson({ v: l.v, seq: l.seq, at: l.at, prev: l.prev, heads: l.heads })}`;
}

/** The text of the line after `prevText` (null: the first), one JSON object without a newline. */
export function makeLine(keys: AuditKeys, prevText: string | null, seq: number, at: Date, heads: CheckpointHead[]): string {
  const body = { v: 1 as const, seq, at: at.toISOString(), prev: prevText === null ? FIRST_PREV : lineHash(prevText), heads };
  const { keyId, mac } = keys.sign(macText(body));
  return canonicalJson({ ...body, k: keyId, m: mac });
}

/** Reads a line back: the line, or why it cannot be one (not JSON, wrong shape, MAC under an unknown key, MAC wrong). */
export function readLine(keys: AuditKeys, text: string): { line: CheckpointLine } | { problem: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { problem: 'not JSON' };
  }
  const l = v as Partial<CheckpointLine>;
  if (typeof v !== 'object' || v === null || l.v !== 1 || !Number.isSafeInteger(l.seq) || typeof l.at !== 'string' || typeof l.prev !== 'string'
    || !Array.isArray(l.heads) || typeof l.k !== 'string' || typeof l.m !== 'string' || !l.heads.every(isHead)) return { problem: 'not a checkpoint line' };
  const line = l as CheckpointLine;
  const checked = keys.check(macText(line), line.k, line.m);
  if (checked === 'unknown_key') return { problem: `signed with key id ${line.k}, which is not configured` };
  if (checked === 'mismatch') return { problem: 'its MAC does not match (the line was edited)' };
  return { line };
}

function isHead(h: unknown): h is CheckpointHead {
  const x = h as CheckpointHead;
  return typeof h === 'object' && h !== null && typeof x.t === 'string' && typeof x.c === 'string' && Number.isSafeInteger(x.s)
    && typeof x.h === 'string' && typeof x.k === 'string' && typeof x.m === 'string';
}
