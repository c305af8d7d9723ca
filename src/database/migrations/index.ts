// Migrations in the order they apply. Listed explicitly (no globs) so the app, the CLI and Jest
// load the same classes whether running from src/ or dist/.
import { Identity1763700000000 } from './1763700000000-identity.js';

export const MIGRATIONS = [Identity1763700000000];
