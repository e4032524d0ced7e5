import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A TCP proxy between the service and PostgreSQL that can lose one acknowledgement: armed, it
 * cuts the connection that carries the next `COMMIT` CommandComplete from the server, instead of
 * forwarding it. The transaction is committed in the database, and the service never learns it:
 * the one fault where a client's retry must not make a second loan.
 */
export interface CommitCutter {
  port: number;
  /** Resolves once a COMMIT acknowledgement has been swallowed and its connection cut. */
  cutNextCommit(): Promise<void>;
  close(): Promise<void>;
}

// 'C', Int32 length 11 (itself + "COMMIT\0"), "COMMIT\0": the server's CommandComplete for COMMIT.
const COMMIT_COMPLETE = Buffer.from([0x43, 0, 0, 0, 11, ...Buffer.from('COMMIT\0', 'latin1')]);

export async function startCommitCutter(target: { host: string; port: number }): Promise<CommitCutter> {
  const sockets = new Set<Socket>();
  let armed: (() => void) | undefined;
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (armed && chunk.includes(COMMIT_COMPLETE)) {
        const done = armed;
        armed = undefined;
        // As a network failure would: the acknowledgement never arrives, the connection is gone.
        client.destroy();
        upstream.destroy();
        done();
        return;
      }
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return {
    port: address.port,
    cutNextCommit: () => new Promise<void>((done) => (armed = done)),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
