import { createHash, createHmac } from 'node:crypto';

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Hash of a secret value as shown in plans: keyed per fleet, so the same value in two
 * fleets hashes differently and a hash can't be looked up in a table of common values.
 */
export function sensitiveHash(value: string, fleetKey: string): string {
  return keyedHash(value, fleetKey).slice(0, 8);
}

/** The whole keyed hash (HMAC-SHA256, hex): what the fleet's hash record keeps per secret. */
export function keyedHash(value: string, fleetKey: string): string {
  return createHmac('sha256', fleetKey).update(value).digest('hex');
}

/** The hash key of a fleet without spec.secrets.hashKey: unique per fleet, but guessable. */
export function fallbackHashKey(fleetName: string): string {
  return `clawctl:${fleetName}`;
}
