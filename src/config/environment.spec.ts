import Fastify from 'fastify';
import { ConfigurationError, Environment, readEnvironment } from './environment.js';

const DECLARED = [
  ...new Set([
    ...Object.keys(new Environment()),
    'DATABASE_URL',
    'JWT_SECRET',
    'ADMIN_USERNAME',
    'ADMIN_PASSWORD',
  ]),
];
const GOOD_SECRET = 'a-signing-secret-that-is-long-enough-0123456789';

/** The ConfigurationError that readEnvironment throws for `env` (fails the test when it does not throw). */
function configurationErrorFor(env: NodeJS.ProcessEnv): ConfigurationError {
  let thrown: unknown;
  try {
    readEnvironment(env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigurationError);
  return thrown as ConfigurationError;
}

function namedVariables(message: string): string[] {
  return DECLARED.filter((name) => new RegExp(`\\b${name}\\b`).test(message)).sort();
}

describe(readEnvironment.name, () => {
  it('applies the documented defaults to an empty environment', () => {
    const sut = readEnvironment({});
    expect(sut).toMatchObject({
      NODE_ENV: 'development',
      PORT: 8000,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      VIGIL_DEMO: false,
      DATA_DIR: './data',
      RUN_MIGRATIONS: false,
      JWT_ACCESS_TTL: '15m',
      JWT_REFRESH_TTL: '7d',
      THROTTLE_LIMIT: 1200,
      THROTTLE_TTL_SECONDS: 60,
      TRUST_PROXY: false,
    });
    expect(sut.DATABASE_URL).toBeUndefined();
    expect(sut.JWT_SECRET).toBeUndefined();
    expect(sut.ADMIN_USERNAME).toBeUndefined();
    expect(sut.ADMIN_PASSWORD).toBeUndefined();
  });

  it('reads given values with their types and treats empty strings as unset', () => {
    const sut = readEnvironment({
      PORT: '9100',
      LOG_LEVEL: 'debug',
      DATABASE_URL: 'postgresql://vigil:pw@db:5432/vigil',
      RUN_MIGRATIONS: 'yes',
      THROTTLE_LIMIT: '5',
      JWT_ACCESS_TTL: '90s',
      HOST: '',
    });
    expect(sut).toMatchObject({
      PORT: 9100,
      LOG_LEVEL: 'debug',
      DATABASE_URL: 'postgresql://vigil:pw@db:5432/vigil',
      RUN_MIGRATIONS: true,
      THROTTLE_LIMIT: 5,
      JWT_ACCESS_TTL: '90s',
      HOST: '0.0.0.0',
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://x'],
    ['JWT_SECRET', 'too-short'],
    ['JWT_ACCESS_TTL', 'soon'],
    ['JWT_ACCESS_TTL', '0'],
    ['THROTTLE_LIMIT', '0'],
    ['RUN_MIGRATIONS', 'maybe'],
    ['WEBHOOK_RETRY_SCHEDULE_SECONDS', '5,soon'],
    ['WEBHOOK_RETRY_SCHEDULE_SECONDS', '-5'],
    ['WEBHOOK_TIMEOUT_SECONDS', '0'],
    ['WEBHOOK_CONCURRENCY', '65'],
  ])('rejects %s=%j with a single line naming only that variable', (name, value) => {
    const error = configurationErrorFor({ [name]: value });
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(namedVariables(error.message)).toEqual([name]);
  });

  it('names every bad variable in one line', () => {
    const error = configurationErrorFor({ PORT: 'abc', LOG_LEVEL: 'loud', THROTTLE_LIMIT: '0' });
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(namedVariables(error.message)).toEqual(['LOG_LEVEL', 'PORT', 'THROTTLE_LIMIT']);
  });

  it.each([
    ['JWT_SECRET', 'short-secret-value'],
    ['ADMIN_PASSWORD', 'tiny-pw'],
    ['DATABASE_URL', 'mysql://vigil:hunter2-db-password@db/vigil'],
  ])('does not echo the rejected value of %s, which may be a secret', (name, value) => {
    const env: NodeJS.ProcessEnv = { [name]: value };
    if (name === 'ADMIN_PASSWORD') env.ADMIN_USERNAME = 'root';
    const error = configurationErrorFor(env);
    expect(namedVariables(error.message)).toEqual([name]);
    expect(error.message).not.toContain(value);
    expect(error.message).not.toContain('hunter2');
  });

  it('requires JWT_SECRET when NODE_ENV=production', () => {
    const error = configurationErrorFor({ NODE_ENV: 'production' });
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).toMatch(/\bJWT_SECRET\b.*\brequired\b/);
  });

  it('accepts NODE_ENV=production with a JWT_SECRET', () => {
    expect(readEnvironment({ NODE_ENV: 'production', JWT_SECRET: GOOD_SECRET })).toMatchObject({
      NODE_ENV: 'production',
      JWT_SECRET: GOOD_SECRET,
    });
  });

  it.each([[{ ADMIN_USERNAME: 'root' }], [{ ADMIN_PASSWORD: 'a-long-enough-password' }]])(
    'refuses %j: ADMIN_USERNAME and ADMIN_PASSWORD go together',
    (env) => {
      const error = configurationErrorFor(env);
      expect(error.message).not.toMatch(/[\r\n]/);
      expect(namedVariables(error.message)).toEqual(['ADMIN_PASSWORD', 'ADMIN_USERNAME']);
    },
  );

  it.each(['password1234', 'aaaaaaaaaaaa', 'root-root-root-1'])(
    'refuses ADMIN_PASSWORD %s by the password policy, without echoing it',
    (password) => {
      const error = configurationErrorFor({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD: password });
      expect(namedVariables(error.message)).toEqual(['ADMIN_PASSWORD']);
      expect(error.message).not.toContain(password);
    },
  );

  it('accepts ADMIN_USERNAME with ADMIN_PASSWORD', () => {
    expect(
      readEnvironment({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'a-long-enough-password' }),
    ).toMatchObject({
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'a-long-enough-password',
    });
  });
});

describe('TRUST_PROXY', () => {
  /** The client address Fastify, configured as the service configures it, sees from 127.0.0.1. */
  async function clientAddress(trustProxy: string | undefined, forwardedFor?: string) {
    const app = Fastify({ trustProxy: readEnvironment({ TRUST_PROXY: trustProxy }).TRUST_PROXY });
    app.get('/', (request) => ({ ip: request.ip }));
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(url, {
        headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
      });
      return ((await res.json()) as { ip: string }).ip;
    } finally {
      await app.close();
    }
  }

  it.each([undefined, 'false', '0', 'off'])(
    '%s: the socket address, X-Forwarded-For ignored',
    async (value) => {
      expect(await clientAddress(value, '203.0.113.7')).toBe('127.0.0.1');
    },
  );

  it.each([
    ['1', 'spoofed, 203.0.113.7', '203.0.113.7'],
    ['1', '203.0.113.7', '203.0.113.7'],
    ['1', 'spoofed, 127.0.0.1', '127.0.0.1'],
    ['1', undefined, '127.0.0.1'],
    ['2', 'spoofed, 203.0.113.7, 10.0.0.3', '203.0.113.7'],
  ])(
    'a hop count %s trusts that many proxies: with X-Forwarded-For %j the client is %s',
    async (value, forwardedFor, client) => {
      expect(await clientAddress(value, forwardedFor)).toBe(client);
    },
  );

  it.each([
    ['127.0.0.1, 10.0.0.0/8', 'spoofed, 203.0.113.7, 10.1.2.3', '203.0.113.7'],
    ['127.0.0.1, 10.0.0.0/8', 'spoofed, 127.0.0.1, 203.0.113.7', '203.0.113.7'],
    ['loopback', 'spoofed, 2001:db8::7', '2001:db8::7'],
    ['10.0.0.0/8', 'spoofed', '127.0.0.1'],
  ])(
    'a list %j trusts only those proxies: with X-Forwarded-For %j the client is %s',
    async (value, forwardedFor, client) => {
      expect(await clientAddress(value, forwardedFor)).toBe(client);
    },
  );

  it.each(['development', 'test', 'production'])(
    'refuses true (every hop trusted) with NODE_ENV=%s, saying why',
    (mode) => {
      for (const value of ['true', 'yes', 'on']) {
        const error = configurationErrorFor({
          NODE_ENV: mode,
          JWT_SECRET: GOOD_SECRET,
          TRUST_PROXY: value,
        });
        expect(error.message).not.toMatch(/[\r\n]/);
        expect(namedVariables(error.message)).toEqual(['TRUST_PROXY']);
        expect(error.message).toMatch(/choose its own address.*rate limits/);
      }
    },
  );

  it.each([
    ['10.0.0.0/33', '"10.0.0.0/33"'],
    ['10.0.0.1, proxy.internal', '"proxy.internal"'],
    ['::1/129', '"::1/129"'],
    ['10.0.0.0/8/1', '"10.0.0.0/8/1"'],
    ['1.5', '"1.5"'],
    ['11', 'at most 10'],
  ])('refuses %j, naming what is wrong', (value, named) => {
    const error = configurationErrorFor({ TRUST_PROXY: value });
    expect(namedVariables(error.message)).toEqual(['TRUST_PROXY']);
    expect(error.message).toContain(named);
  });
});
