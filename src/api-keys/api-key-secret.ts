// The secret an API key is: `vgk_` and 32 random bytes in base64url (43 characters). The prefix
// tells a key from a JWT at a glance (a JWT starts with its base64url header, `eyJ`), so the
// authentication guard picks the check without trying both.
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'vgk_';
const SECRET_BYTES = 32;
const WELL_FORMED = /^vgk_[A-Za-z0-9_-]{43}$/;
/** How much of a key is kept in clear for display: the prefix and 8 characters (48 of 256 bits). */
const DISPLAY_LENGTH = API_KEY_PREFIX.length + 8;

/** Whether a bearer credential is meant as an API key (it may still be malformed or unknown). */
export function isApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** Whether `secret` has the shape of a key this service issues (checked before any lookup). */
export function isWellFormedApiKey(secret: string): boolean {
  return WELL_FORMED.test(secret);
}

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
}

/**
 * SHA-256, unsalted. A key is 256 random bits, so nobody can guess it from its hash whatever the
 * hash's speed; a slow password hash (argon2, for low-entropy human passwords) would only make
 * every authenticated request cost tens of milliseconds of CPU, and a salt would rule out the
 * indexed lookup by hash. Refresh tokens are stored the same way.
 */
export function hashApiKey(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** The non-secret start of a key, shown in lists so a key can be recognised. */
export function displayPrefixOf(secret: string): string {
  return secret.slice(0, DISPLAY_LENGTH);
}
