// Where a client is in the live feed, and how that is written as an SSE event id. A feed row (one
// statement's change, `live_events.id`) carries one event per alert it names; event `r.i` is the
// row r's i-th, and `r` alone stands for "all of row r" (what a `resync` event says). A client
// resumes after the position its Last-Event-ID names: exactly the events it has not seen.

export interface LivePosition {
  /** The feed row. */
  row: bigint;
  /** The last event of the row already seen; Infinity for the whole row. */
  index: number;
}

/** Row ids are bigserial, written in decimal; an index is below any statement's size. */
const EVENT_ID = /^(\d{1,19})(?:\.(\d{1,9}))?$/;

/** The SSE id of event `index` of row `row`, or of the whole row when `index` is omitted. */
export function formatEventId(row: bigint, index?: number): string {
  return index === undefined ? String(row) : `${row}.${index}`;
}

/** The position a Last-Event-ID names; undefined when it is not one of ours. */
export function parseEventId(text: string): LivePosition | undefined {
  const match = EVENT_ID.exec(text.trim());
  if (!match) return undefined;
  const row = BigInt(match[1]);
  if (row > 9_223_372_036_854_775_807n) return undefined;
  return { row, index: match[2] === undefined ? Infinity : Number(match[2]) };
}

/** Whether event `index` of row `row` comes after `position` (is not seen yet). */
export function isAfter(row: bigint, index: number, position: LivePosition): boolean {
  return row > position.row || (row === position.row && index > position.index);
}

/** The position after every event of rows up to and including `row`. */
export const throughRow = (row: bigint): LivePosition => ({ row, index: Infinity });
