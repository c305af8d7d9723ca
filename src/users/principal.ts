import type { Group } from './user.js';

/** The authenticated caller, as guards and controllers see it. */
export interface Principal {
  id: string;
  username: string;
  groups: Group[];
}

/** What decides whether a user's tokens still work; read on every authenticated request. */
export interface PrincipalState extends Principal {
  isActive: boolean;
  tokenVersion: number;
  /** The session (refresh-token family) the token belongs to is not revoked. */
  sessionActive: boolean;
}
