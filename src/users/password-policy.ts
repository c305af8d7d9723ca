// What a new password must satisfy: NIST SP 800-63B (§3.1.1.2). At least 12 characters and at
// most 256 (no composition rules, every character allowed, spaces included), not blank, and not
// easy to guess: not a common or breached password, not repetitive or sequential, not built from
// the username or the service's name. "Easy to guess" is zxcvbn's estimate (@zxcvbn-ts/core with
// the 49,000 common passwords of @zxcvbn-ts/language-common, shipped in the package, no network):
// it finds the blocklisted password inside `password1234` or `P@ssw0rd!`, which a plain list
// lookup would not. Used by the user DTOs (API) and so by the CLI, which validates the same DTO.
import { ZxcvbnFactory, type FeedbackType } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;
/**
 * zxcvbn's scores 0-4; 3 means at least 10^8 guesses ("safely unguessable: moderate protection
 * from an offline slow-hash scenario"), against passwords stored with argon2id.
 */
export const PASSWORD_MIN_SCORE = 3;
/**
 * The estimate looks at the first 64 characters: enough to see any pattern in a password people
 * type, while a 256-character one stays cheap to check (the l33t matcher is superlinear).
 */
const ESTIMATED_PREFIX = 64;
/** The service's own name: a context-specific word (NIST's example). */
const SERVICE_WORDS = ['vigil'];

/** Which rule a password broke; the message never contains the password. */
export type PasswordRule =
  | 'length'
  | 'blank'
  | 'common'
  | 'repetitive'
  | 'sequential'
  | 'keyboard'
  | 'context'
  | 'guessable';

export interface PasswordVerdict {
  rule: PasswordRule;
  /** Completes "<field> …", e.g. "must not be one of the commonly used passwords". */
  message: string;
}

let estimator: ZxcvbnFactory | undefined;

// Built on first use (~40 ms, ~4 MB of heap): only user creation and password changes pay it.
function estimate(password: string, context: string[]) {
  estimator ??= new ZxcvbnFactory({
    dictionary: { 'passwords-common': dictionary['passwords-common'] },
    graphs: adjacencyGraphs,
    maxLength: ESTIMATED_PREFIX,
  });
  return estimator.check(password, context);
}

// zxcvbn's warning says which pattern made the password guessable.
const RULE_OF_WARNING: Partial<Record<string, PasswordRule>> = {
  topTen: 'common',
  topHundred: 'common',
  common: 'common',
  similarToCommon: 'common',
  wordByItself: 'common',
  namesByThemselves: 'common',
  commonNames: 'common',
  userInputs: 'context',
  simpleRepeat: 'repetitive',
  extendedRepeat: 'repetitive',
  sequences: 'sequential',
  straightRow: 'keyboard',
  keyPattern: 'keyboard',
};

const MESSAGES: Record<PasswordRule, string> = {
  length: `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long`,
  blank: 'must not be blank or only whitespace',
  common: 'must not be, or be built on, a commonly used or breached password',
  repetitive: 'must not be repetitive (like "zzzzzz…" or "abcabc…")',
  sequential: 'must not be a sequence (like "lmnopq…" or "345678…")',
  keyboard: 'must not be a run of neighbouring keys (like "asdfgh…")',
  context: 'must not be built on the username or the service name',
  guessable: 'is too easy to guess: make it longer or less predictable (a passphrase works well)',
};

/**
 * Null when `password` may be used, else the rule it breaks. `username` (when known) is a
 * context-specific word, like the service's name.
 */
export function checkPassword(password: string, username?: string): PasswordVerdict | null {
  const verdict = (rule: PasswordRule) => ({ rule, message: MESSAGES[rule] });
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) return verdict('length');
  if (password.trim() === '') return verdict('blank');
  const context = [...SERVICE_WORDS, ...(username ? [username.toLowerCase()] : [])];
  const lower = password.toLowerCase();
  // zxcvbn rates "vigil-vigil-vigil" low but names no context word; say it plainly.
  if (context.some((word) => lower.replace(new RegExp(escapeRegExp(word), 'g'), '').length < 8)) {
    return verdict('context');
  }
  const result = estimate(password, context);
  if (result.score >= PASSWORD_MIN_SCORE) return null;
  return verdict(ruleOf(result.feedback));
}

function ruleOf(feedback: FeedbackType): PasswordRule {
  return (feedback.warning && RULE_OF_WARNING[feedback.warning]) || 'guessable';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
