import { stopTestServer } from './test-server.mjs';

export default async function globalTeardown() {
  await stopTestServer();
}
