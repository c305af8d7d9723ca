// The one reading of an integer written as text, for query strings and the environment alike.

/** Up to 15 digits, optionally signed: every such number is a safe integer, so no value rounds. */
const INTEGER_TEXT = /^-?\d{1,15}$/;

/**
 * class-transformer's `@Transform`: a string that spells an integer (surrounding spaces allowed)
 * becomes that number; anything else is left as it came, for the field's validator to refuse
 * with its own message (a range check never sees a half-parsed value).
 */
export const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && INTEGER_TEXT.test(value.trim()) ? Number(value) : value;
