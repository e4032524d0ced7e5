/**
 * Child process of bench/run.mjs: the real service (createApp from dist/) on 127.0.0.1, an
 * ephemeral port, logged in as the least-privilege service role. Sends {port} over IPC.
 */
import 'reflect-metadata';
import { createApp } from '../dist/src/app.js';
import { loadConfig } from '../dist/src/config/app-config.js';
import { installTrace, markRequests, startTrace, stopTrace } from './trace.mjs';

installTrace();

const config = loadConfig({
  NODE_ENV: 'production',
  DATABASE_URL: process.env.BENCH_SERVICE_URL,
  JWT_SECRET: process.env.BENCH_JWT_SECRET,
  DATA_DIR: process.env.BENCH_DATA_DIR,
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  SWAGGER_ENABLED: 'false',
  ...(process.env.DB_POOL_SIZE ? { DB_POOL_SIZE: process.env.DB_POOL_SIZE } : {}),
});
const app = await createApp(config, process.env.BENCH_SERVICE_URL);
markRequests(app.getHttpServer());
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.getHttpServer().address();
process.send({ port });
process.on('message', async (m) => {
  // CPU time this process has used so far (µs), so the harness can report CPU per request.
  if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
  // The statements of the requests between 'trace-on' and 'trace-off' (bench/trace.mjs).
  if (m === 'trace-on') { startTrace(); process.send({ tracing: true }); }
  if (m === 'trace-off') process.send({ trace: stopTrace() });
  if (m === 'stop') {
    await app.close();
    process.exit(0);
  }
});
