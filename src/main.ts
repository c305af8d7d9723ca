// The service alone, configured only by the environment (what a container runs).
import 'reflect-metadata';
import { run } from './server.js';

await run();
