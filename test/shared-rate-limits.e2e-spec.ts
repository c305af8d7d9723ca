// Rate limits shared through Redis (REDIS_URL): two service processes count login attempts
// against one limit, as replicas behind a load balancer must.
import { Redis } from 'ioredis';
import { expectProblem } from './support/problem.js';
import { startTestApp, TestApp } from './support/test-app.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('Rate limits shared through Redis (e2e)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys('vigil:throttle:login:*');
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    const env = { REDIS_URL, LOGIN_LIMIT_PER_USERNAME: '6' };
    [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
    await a.reset();
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('counts wrong passwords on both replicas against one per-username limit', async () => {
    const victim = await a.user('victim', ['analyst']);
    const wrong = { username: 'victim', password: 'not-the-password' };

    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const replica = i % 2 ? b : a;
      statuses.push((await replica.api.post('/api/auth/token', { body: wrong })).status);
    }
    // Six guesses in all (three per replica), then both refuse: one count, not one per process.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    const refused = await b.api.post('/api/auth/token', {
      body: { username: 'victim', password: victim.password },
    });
    expectProblem(refused, 429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
