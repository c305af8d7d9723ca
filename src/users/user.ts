/** `ingest`: may only push alerts (POST /api/ingest/alerts); meant for API keys of sources that push. */
export const GROUPS = ['admin', 'analyst', 'ingest'] as const;
export type Group = (typeof GROUPS)[number];

/** A user as the service reads it (the password hash only where a login needs it). */
export interface User {
  id: string;
  username: string;
  groups: Group[];
  isActive: boolean;
  /** Bumped on deactivation and password change: tokens carrying an older value stop working. */
  tokenVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserWithPassword extends User {
  passwordHash: string;
}
