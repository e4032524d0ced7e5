import pg from 'pg';

/** Where global setup put the test server (see test/setup/test-server.mjs). */
export interface TestServer {
  adminUrl: string;
  template: string;
  prefix: string;
  /** The least-privilege login the app under test uses. */
  serviceLogin: string;
  servicePassword: string;
}

export function testServer(): TestServer {
  const raw = process.env.LL_TEST_SERVER;
  if (!raw) throw new Error('The test database server is not running (jest globalSetup did not run)');
  return JSON.parse(raw);
}

export async function adminQuery<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
