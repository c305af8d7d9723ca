// The quarantine's insert, shared by a sync's page commit and a push: both store their bad records
// in the statement that stores their alerts.

/**
 * The CTE `quarantined`: the records of `rows` (a placeholder for encodeQuarantine's JSON) for the
 * run `runId` (a placeholder, or NULL for a push), each record once however often it comes
 * (payload_hash); one row for each record it newly stored.
 */
export function quarantinedCte(rows: string, runId: string): string {
  return `quarantined AS (
         INSERT INTO quarantine (run_id, payload_hash, raw, raw_bytes, reason)
         SELECT ${runId}, decode(hash, 'hex'), raw, bytes, reason
         FROM jsonb_to_recordset(${rows}::jsonb) AS q(hash text, raw text, bytes int, reason text)
         ON CONFLICT (payload_hash) DO NOTHING
         RETURNING 1
       )`;
}
