import pg from 'pg';
import { EventEmitter } from 'node:events';
const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
await c.connect();
class Describe extends EventEmitter {
  constructor(text) { super(); this.text = text; this.fields = []; this.promise = new Promise((res, rej) => { this.res = res; this.rej = rej; }); }
  submit(con) { con.parse({ name: '', text: this.text, types: [] }); con.describe({ type: 'S', name: '' }); con.sync(); }
  handleRowDescription(msg) { this.fields = msg.fields.map((f) => ({ name: f.name, type: f.dataTypeID })); }
  handleError(err) { this.error = err; }
  handleReadyForQuery() { this.error ? this.rej(this.error) : this.res(this.fields); }
  handleCommandComplete() {} handleEmptyQuery() {} handleDataRow() {} handlePortalSuspended() {}
}
const describe = (text) => { const d = new Describe(text); c.query(d); return d.promise; };
console.log(await describe('SELECT oid, relname AS name FROM pg_class WHERE oid = $1'));
console.log(await describe('CREATE TEMP TABLE t(x int)').catch(e=>e.message));
console.log(await describe('SELECT nope FROM pg_class').catch(e=>e.message));
console.log(await c.query('select 1 as one').then(r=>r.rows));
await c.end();
