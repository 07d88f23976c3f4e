import { canonicalJson } from '../util/json.js';
import { sha256 } from '../util/hash.js';

/**
 * One audit log entry. Entries form a hash chain: each carries the hash of the one before
 * it and its own hash over a canonical form (RFC 8785 JSON), so an edited, deleted,
 * inserted or reordered entry breaks the chain at that point. Never holds a secret value.
 */
export type AuditAction =
  | 'apply'
  /** Written before an apply changes anything: the agents and hosts it is about to change. */
  | 'apply.start'
  | 'agent.apply'
  | 'host.apply'
  | 'agent.restart'
  | 'backup.restore'
  | 'secret.read'
  | 'secret.write'
  | 'policy.decision'
  | 'approval'
  | 'lock.break'
  | 'pr.propose'
  | 'network.tag';

export interface AuditRecord {
  action: AuditAction;
  /** What was acted on: an agent, a fleet, `secrets/x.sops.yaml#KEY`, a lock. */
  target: string;
  result: string;
  planHash?: string;
  details?: Record<string, string | number | boolean>;
}

export interface AuditEntry extends AuditRecord {
  v: 1;
  seq: number;
  time: string;
  /** `ci:…` (CI run), `git:Name <email>` (the git author), or `user:name@host`. */
  actor: string;
  prev: string;
  hash: string;
}

export const GENESIS = '0'.repeat(64);

export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return sha256(canonicalJson(entry));
}

export function seal(record: AuditRecord, at: { seq: number; prev: string; time: string; actor: string }): AuditEntry {
  const body: Omit<AuditEntry, 'hash'> = { v: 1, seq: at.seq, time: at.time, actor: at.actor, ...record, prev: at.prev };
  return { ...body, hash: entryHash(body) };
}
