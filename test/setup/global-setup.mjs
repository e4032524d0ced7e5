// Jest loads global setup outside its ESM module system, so this file is plain JavaScript and
// uses the compiled server code in dist/ (`npm test` builds it first).
import { startTestServer } from './test-server.mjs';

export default async function globalSetup() {
  await startTestServer();
}
