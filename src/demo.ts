// `npm start`: the whole demo on a bare machine (embedded database unless DATABASE_URL is set).
import 'reflect-metadata';
import { prepareDemoEnvironment } from './config/demo-environment.js';
import { run } from './server.js';
import { UsersBootstrapService } from './users/users-bootstrap.service.js';

prepareDemoEnvironment();
const app = await run();
if (app) {
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost');
  const credentials = app.get(UsersBootstrapService).demoCredentials;
  const lines = [
    '',
    '  Vigil demo is running',
    `  API        ${url}/api`,
    `  Swagger    ${url}/docs`,
    `  Readiness  ${url}/health/ready`,
    ...credentials.map(
      (c) => `  ${c.groups.join(',').padEnd(10)} username: ${c.username}  password: ${c.password}`,
    ),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
