import { checkPassword, PASSWORD_MAX, type PasswordRule } from './password-policy.js';

describe(checkPassword.name, () => {
  it.each([
    ['a passphrase', 'correct horse battery staple'],
    ['random characters', 'k8#Tq2!vLm9z'],
    ["the test users' passwords", 'pw-analyst-0123456789'],
    ['the passwords the e2e specs choose', 'a-brand-new-password'],
    ['a generated demo password (16 base64url characters)', 'mJ3xQ9vB_t2LwZ8k'],
    ['non-Latin text', 'пароль-для-входа-в-систему'],
    ['spaces inside', 'tea at five, not six'],
    ['the longest allowed', `${'k8#Tq2!vLm9z'.repeat(21)}abcd`.slice(0, PASSWORD_MAX)],
  ])('accepts %s', (_, password) => {
    expect(checkPassword(password, 'alice')).toBeNull();
  });

  it.each<[string, string, PasswordRule]>([
    ['11 characters', 'k8#Tq2!vLm9', 'length'],
    ['257 characters', 'k'.repeat(257), 'length'],
    ['twelve spaces', ' '.repeat(12), 'blank'],
    ['tabs and newlines', '\t\n\t\n\t\n\t\n\t\n\t\n', 'blank'],
    ['a common password with digits', 'password1234', 'common'],
    ['a common password in l33t', 'P@ssw0rd1234', 'common'],
    ['a breached favourite', 'iloveyou1234', 'common'],
    ['one repeated character', 'aaaaaaaaaaaa', 'repetitive'],
    ['a repeated group', 'xQ7-xQ7-xQ7-', 'repetitive'],
    ['letters in sequence', 'abcdefghijkl', 'sequential'],
    ['the username with digits', 'alice1234567', 'context'],
    ["the service's name twice", 'VigilVigil12', 'context'],
  ])('refuses %s, saying which rule', (_, password, rule) => {
    const verdict = checkPassword(password, 'alice');
    expect(verdict?.rule).toBe(rule);
    expect(verdict?.message).not.toContain(password.trim() || password);
  });

  it('refuses digits in sequence and keyboard runs, whatever the rule is named', () => {
    expect(checkPassword('123456789012')).not.toBeNull();
    expect(checkPassword('qwertyuiopas')).not.toBeNull();
    expect(checkPassword('1qaz2wsx3edc')).not.toBeNull();
  });

  it('takes the username into account only when given', () => {
    expect(checkPassword('zebrafinch-42', 'zebrafinch')?.rule).toBe('context');
  });

  it('stays fast on the longest hostile input', () => {
    const started = Date.now();
    checkPassword(Array.from({ length: PASSWORD_MAX }, (_, i) => 'p@$$w0rd'[i % 8]).join(''));
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
