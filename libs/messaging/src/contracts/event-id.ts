import { hash } from 'node:crypto';

// A fixed namespace for this engine's name-based (version 5) UUIDs.
const NAMESPACE = Buffer.from('7d0f3b6c9a8e4e2b8f1d5c3a2b1e0f94', 'hex');

/**
 * A UUID derived from what was decided (source event, event type, decision), so that every
 * redelivery of the same decision carries the same id and consumers can deduplicate on it.
 */
export function deterministicEventId(...parts: readonly string[]): string {
  // The one-shot hash: a sweep derives tens of thousands of ids at a time.
  return uuidOfDigest(hash('sha1', Buffer.concat([NAMESPACE, Buffer.from(parts.join('\u001f'))]), 'buffer'), 5);
}

/**
 * The first 16 bytes of a digest as an RFC 9562 UUID of `version` (5: name-based over SHA-1; 8: a
 * custom derivation, such as a keyed hash): its version and variant bits set, the rest kept.
 */
export function uuidOfDigest(digest: Buffer, version: 5 | 8): string {
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | (version << 4);
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
