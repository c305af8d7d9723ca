// `npm run mock-api`: the upstream simulator alone, configured by MOCK_* variables (contract
// section 5). A bad value stops start-up with one line naming the variable.
import { readMockEnvironment, MockConfigurationError } from './mock-environment.js';
import { createMockServer } from './mock-server.js';
import { alertAt } from './alert-generator.js';
import { TOR_SNAPSHOT_PATH } from './tor-exits.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let env;
try {
  env = readMockEnvironment(process.env);
} catch (error) {
  if (error instanceof MockConfigurationError) fail(error.message);
  throw error;
}

const mock = createMockServer({
  seed: env.MOCK_SEED,
  backlog: env.MOCK_BACKLOG,
  ratePerMinute: env.MOCK_RATE_PER_MINUTE,
  failureRate: env.MOCK_FAILURE_RATE,
  onError: (error) => process.stderr.write(`mock-api: unexpected error: ${String(error)}\n`),
});

// A first page straight after start-up would otherwise pay for JIT compilation (~50 ms).
for (let index = 0; index < 5000; index++) {
  JSON.stringify(alertAt(mock.seed, index, mock.timeline.startedAt, { torExits: mock.torExits }));
}

let address: { url: string };
try {
  address = await mock.listen(env.MOCK_PORT, env.MOCK_HOST);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  fail(
    code === 'EADDRINUSE'
      ? `MOCK_PORT ${env.MOCK_PORT} is already in use on ${env.MOCK_HOST}`
      : `Cannot listen on MOCK_HOST ${env.MOCK_HOST} MOCK_PORT ${env.MOCK_PORT}: ${(error as Error).message}`,
  );
}

const arrivals =
  env.MOCK_RATE_PER_MINUTE > 0 ? `${env.MOCK_RATE_PER_MINUTE} alerts/min` : 'no live arrivals';
process.stdout.write(
  `mock-api listening on ${address.url} (seed ${env.MOCK_SEED}, backlog ${env.MOCK_BACKLOG}, ` +
    `${arrivals}, failure_rate ${env.MOCK_FAILURE_RATE}, ` +
    `${mock.torExits.length} Tor exits from ` +
    `${mock.torExitsOrigin === 'snapshot' ? TOR_SNAPSHOT_PATH : 'the embedded list'})\n`,
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void mock.close().then(() => process.exit(0));
  });
}
