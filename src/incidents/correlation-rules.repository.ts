// Every statement on correlation_rules. The grouping itself is the trigger on `alerts`
// (migration 1764500000100-incidents), which reads the enabled rules in `position` order.
import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';

export const CORRELATION_KEYS = ['src_ip', 'dst_ip', 'user', 'source'] as const;
export type CorrelationKey = (typeof CORRELATION_KEYS)[number];

export interface CorrelationRule {
  id: string;
  name: string;
  keys: CorrelationKey[];
  window_seconds: number;
  enabled: boolean;
  position: number;
  created_at: Date;
  updated_at: Date;
}

export interface RuleFields {
  name: string;
  keys: CorrelationKey[];
  window_seconds: number;
  enabled: boolean;
  position?: number;
}

const COLUMNS = 'id, name, keys, window_seconds, enabled, position, created_at, updated_at';

/** The keys in one order, each once: the same fields make the same key whatever order given. */
export function canonicalKeys(keys: readonly CorrelationKey[]): CorrelationKey[] {
  return CORRELATION_KEYS.filter((key) => keys.includes(key));
}

@Injectable()
export class CorrelationRulesRepository {
  constructor(private readonly db: Database) {}

  list(): Promise<CorrelationRule[]> {
    return this.db.query<CorrelationRule>(
      `SELECT ${COLUMNS} FROM correlation_rules ORDER BY position, id`,
    );
  }

  async find(id: string): Promise<CorrelationRule | null> {
    const [row] = await this.db.query<CorrelationRule>(
      `SELECT ${COLUMNS} FROM correlation_rules WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }

  /** A new rule, last in order unless `position` says otherwise. */
  async create(fields: RuleFields): Promise<CorrelationRule> {
    const [row] = await this.db.query<CorrelationRule>(
      `INSERT INTO correlation_rules (name, keys, window_seconds, enabled, position)
       VALUES ($1, $2, $3, $4,
               coalesce($5, (SELECT coalesce(max(position), 0) + 1 FROM correlation_rules)))
       RETURNING ${COLUMNS}`,
      [
        fields.name,
        canonicalKeys(fields.keys),
        fields.window_seconds,
        fields.enabled,
        fields.position ?? null,
      ],
    );
    return row;
  }

  async update(id: string, patch: Partial<RuleFields>): Promise<CorrelationRule | null> {
    const [row] = await this.db.query<CorrelationRule>(
      `UPDATE correlation_rules SET
         name = coalesce($2, name), keys = coalesce($3, keys),
         window_seconds = coalesce($4, window_seconds), enabled = coalesce($5, enabled),
         position = coalesce($6, position), updated_at = now()
       WHERE id = $1
       RETURNING ${COLUMNS}`,
      [
        id,
        patch.name ?? null,
        patch.keys ? canonicalKeys(patch.keys) : null,
        patch.window_seconds ?? null,
        patch.enabled ?? null,
        patch.position ?? null,
      ],
    );
    return row ?? null;
  }

  /** Its incidents stay, with the rule's name (and no rule id); they take no more alerts. */
  async remove(id: string): Promise<boolean> {
    const [row] = await this.db.query<{ deleted: number }>(
      `WITH rule AS (DELETE FROM correlation_rules WHERE id = $1 RETURNING id),
            orphans AS (UPDATE incidents SET rule_id = NULL WHERE rule_id IN (SELECT id FROM rule))
       SELECT count(*)::int AS deleted FROM rule`,
      [id],
    );
    return row.deleted > 0;
  }
}
