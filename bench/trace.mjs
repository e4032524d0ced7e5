/**
 * The statements the service sends for one request, recorded in the serving process (bench/serve-
 * app.mjs, on the harness's 'trace-on'/'trace-off' messages) by wrapping pg's Client#query. The
 * harness turns them into the pgbench scripts and the node `pg` raw side, so both run exactly what
 * the service runs, in the same order, whatever the code does today: nothing is copied by hand.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import utils from 'pg/lib/utils.js';

let recording = null;
const clients = new WeakMap();
const requestContext = new AsyncLocalStorage();

export function installTrace() {
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function traced(config, values, callback) {
    if (recording && requestContext.getStore() && config !== undefined && typeof config !== 'function') {
      const c = typeof config === 'string' ? { text: config, values: Array.isArray(values) ? values : undefined } : config;
      // Values as pg sends them (Dates, Buffers and arrays in their wire text), null stays null.
      // (pg sends a Buffer as a binary parameter: recorded as bytea's hex text, its equal in text).
      const sent = c.values?.map((v) => {
        if (v === null || v === undefined) return null;
        const p = utils.prepareValue(v);
        return Buffer.isBuffer(p) ? `\\x${p.toString('hex')}` : String(p);
      });
      // Sent while this connection's earlier statements are still unanswered, on a pipelining
      // connection: it travels with them (the same round trip).
      const inFlight = this.pipeline && (this._queryQueue.length + this._sentQueryQueue.length + (this._activeQuery ? 1 : 0)) > 0;
      if (!clients.has(this)) clients.set(this, clients.size + 1);
      if (typeof c.text === 'string') recording.push({ name: c.name ?? null, text: c.text, values: sent ?? [], client: clients.get(this), together: inFlight });
    }
    return query.call(this, config, values, callback);
  };
}

export const startTrace = () => { recording = []; };

/** The trace as round trips: runs of statements sent together on one connection. */
export function roundTrips(trace) {
  const groups = [];
  for (const s of trace) {
    const last = groups.at(-1);
    if (last && s.together && last[0].client === s.client) last.push(s);
    else groups.push([s]);
  }
  return groups;
}
export const stopTrace = () => {
  const r = recording ?? [];
  recording = null;
  // The mark's storage off again once the trace is taken: the measured requests carry only the
  // service's own stores, as in production.
  requestContext.disable();
  return r;
};

/**
 * Only statements sent on behalf of an HTTP request are recorded (not the audit sealer's or
 * another background job's): the request's async context carries a mark from the server's
 * 'request' event, which runs before the framework's own listener.
 */
export function markRequests(server) {
  server.prependListener('request', () => { if (recording) requestContext.enterWith(true); });
}
