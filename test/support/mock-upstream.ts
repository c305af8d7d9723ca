// The mock upstream (dist/mock-api/main.js) as a child process, and its chaos controls.
import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ApiClient } from './api-client.js';
import { freePort, waitForExit } from './service-process.js';

export interface MockUpstream {
  url: string;
  api: ApiClient;
  setChaos(
    settings: Partial<
      Record<
        | 'failure_rate'
        | 'latency_ms'
        | 'rate_limit_rate'
        | 'malformed_rate'
        | 'late_rate'
        | 'late_seconds',
        number
      >
    >,
  ): Promise<void>;
  close(): Promise<void>;
}

export async function startMockUpstream(env: Record<string, string> = {}): Promise<MockUpstream> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [resolve('dist/mock-api/main.js')], {
    env: {
      PATH: process.env.PATH,
      MOCK_PORT: String(port),
      MOCK_HOST: '127.0.0.1',
      MOCK_SEED: '7',
      MOCK_RATE_PER_MINUTE: '0',
      MOCK_FAILURE_RATE: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const api = new ApiClient(url);
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`mock exited ${child.exitCode}: ${output}`);
    if ((await api.get('/health').catch(() => ({ status: 0 }))).status === 200) break;
    if (i > 200) throw new Error(`mock not ready: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    api,
    async setChaos(settings) {
      const res = await api.put('/config', { body: settings });
      if (res.status !== 200)
        throw new Error(`PUT /config: ${res.status} ${JSON.stringify(res.body)}`);
    },
    async close() {
      const exited = waitForExit(child);
      child.kill('SIGTERM');
      await exited;
    },
  };
}
