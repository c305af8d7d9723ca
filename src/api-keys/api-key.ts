import type { Group } from '../users/user.js';

/** An API key as the admin API shows it (never its secret nor its hash). */
export interface ApiKey {
  id: string;
  name: string;
  groups: Group[];
  /** The first characters of the key, for recognising it. */
  prefix: string;
  /** The admin who created it; null when an API key created it. */
  createdBy: { id: string; username: string } | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** What authenticating a request with a live (unrevoked) key needs to know of it. */
export interface ApiKeyCredential {
  id: string;
  name: string;
  groups: Group[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}
