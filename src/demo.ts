// `npm start`: the whole demo on a bare machine. The mock upstream on MOCK_PORT (unless
// UPSTREAM_URL points elsewhere), the service on PORT, the embedded database unless DATABASE_URL
// is set. The composition root of both programs, so the one file of src/ allowed to import
// mock-api/ (see .dependency-cruiser.mjs): it turns the mock's configuration errors into the
// service's, so server.ts knows nothing of the simulator.
import 'reflect-metadata';
import { createMockServer } from '../mock-api/mock-server.js';
import { MockConfigurationError, readMockEnvironment } from '../mock-api/mock-environment.js';
import { prepareDemoEnvironment } from './config/demo-environment.js';
import { ConfigurationError } from './config/environment.js';
import { run } from './server.js';
import { UsersBootstrapService } from './users/users-bootstrap.service.js';

const upstream = prepareDemoEnvironment();
let mockUrl: string | undefined;

async function startMock(): Promise<void> {
  const env = readMockEnvironment(upstream.mockEnvironment);
  const mock = createMockServer({
    seed: env.MOCK_SEED,
    backlog: env.MOCK_BACKLOG,
    ratePerMinute: env.MOCK_RATE_PER_MINUTE,
    failureRate: env.MOCK_FAILURE_RATE,
  });
  try {
    mockUrl = (await mock.listen(env.MOCK_PORT, env.MOCK_HOST)).url;
  } catch (error) {
    throw new MockConfigurationError(
      `MOCK_PORT ${env.MOCK_PORT} cannot be used: ${(error as Error).message}`,
    );
  }
}

/** The mock's configuration is the demo's: its errors are reported as the service's own. */
function asConfigurationError(error: unknown): never {
  if (error instanceof MockConfigurationError)
    throw new ConfigurationError(error.message, { cause: error });
  throw error;
}

const app = await run(
  upstream.serveMock ? () => startMock().catch(asConfigurationError) : undefined,
);
if (app) {
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost');
  const credentials = app.get(UsersBootstrapService).demoCredentials;
  const lines = [
    '',
    '  Vigil demo is running',
    `  Dashboard  ${url}/dashboard`,
    `  API        ${url}/api`,
    `  Swagger    ${url}/docs`,
    `  Health     ${url}/health`,
    `  Upstream   ${mockUrl ? `${mockUrl} (mock; chaos settings at ${mockUrl}/config)` : 'UPSTREAM_URL'}`,
    ...credentials.map(
      (c) => `  ${c.groups.join(',').padEnd(10)} username: ${c.username}  password: ${c.password}`,
    ),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
