import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';

/**
 * Checks an HTTP answer against the committed openapi.json: its status must be documented for the
 * operation, its content type documented for that status, and a JSON body must match the schema
 * (every DTO schema is closed, so an undocumented field fails as surely as a wrong type).
 * `test/helpers/test-app.ts` runs this on every answer the HTTP suites receive.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface OpenApi {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> }>>;
  components: { schemas: Record<string, Json> };
}

/**
 * Answers any route can give before it runs (the framework's own refusals, and a bug's 500),
 * checked against the plain problem schema rather than required in every operation's list.
 */
const TRANSPORT_STATUSES = new Set([405, 406, 411, 413, 414, 415, 500]);
const JSON_TYPES = ['application/json', 'application/problem+json'];
const METHODS = new Set(['get', 'put', 'post', 'patch', 'delete']);

// ajv-formats is CommonJS with a default export; under ESM its function is on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/**
 * OpenAPI 3.0's `nullable: true` allows null whatever else the schema says (generators write
 * `{ nullable: true, allOf: [{ $ref }] }` for an optional object); JSON Schema has no such
 * keyword, so it becomes `anyOf: [null, the rest]`. `example` is documentation only.
 */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const { nullable, example: _example, ...rest } = node as JsonObject;
  const converted: JsonObject = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, key === 'properties' ? mapValues(value) : toJsonSchema(value)]));
  return nullable === true ? { anyOf: [{ type: 'null' }, converted] } : converted;
}
const mapValues = (value: Json): Json =>
  value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)])) : value;

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  /** Fewer parameters first: `/devices/lookup` wins over `/devices/{id}`. */
  parameters: number;
}

export class ResponseContract {
  private readonly ajv: Ajv;
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly doc: OpenApi) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi', components: { schemas: mapValues(doc.components.schemas as Json) } } as object);
    this.routes = Object.entries(doc.paths)
      .flatMap(([template, item]) =>
        Object.keys(item)
          .filter((m) => METHODS.has(m))
          .map((method) => ({
            method,
            template,
            pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\\{[^}]+\\\}|\{[^}]+\}/g, '[^/]+')}$`),
            parameters: (template.match(/\{/g) ?? []).length,
          })),
      )
      .sort((a, b) => a.parameters - b.parameters);
  }

  static fromCommittedDocument(): ResponseContract {
    return new ResponseContract(JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')));
  }

  /** Every operation of the document, as `METHOD /path/{template}`. */
  operations(): string[] {
    return this.routes.map((r) => `${r.method.toUpperCase()} ${r.template}`).sort();
  }

  /** The operation a request reached, or undefined for paths the document does not serve. */
  operationOf(method: string, path: string): string | undefined {
    const route = this.routes.find((r) => r.method === method.toLowerCase() && r.pattern.test(path.split('?')[0]));
    return route && `${route.method.toUpperCase()} ${route.template}`;
  }

  /** What is wrong with an answer (empty when it matches the document). Unknown paths are not checked. */
  check(method: string, url: string, status: number, contentType: string | undefined, body: unknown): string[] {
    const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0];
    const route = this.routes.find((r) => r.method === method.toLowerCase() && r.pattern.test(path));
    if (!route) return [];
    const where = `${method.toUpperCase()} ${route.template} -> ${status}`;
    const responses = this.doc.paths[route.template][route.method].responses ?? {};
    const documented = responses[String(status)];
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    let schema: Json | undefined;
    if (documented) {
      const content = documented.content ?? {};
      if (type && Object.keys(content).length && !(type in content)) {
        return [`${where}: answered ${type}, but the document gives only ${Object.keys(content).join(', ')}`];
      }
      schema = content[type]?.schema;
    } else if (TRANSPORT_STATUSES.has(status)) {
      schema = { $ref: '#/components/schemas/ProblemResponse' };
    } else {
      return [`${where}: status ${status} is not documented for this operation (documented: ${Object.keys(responses).join(', ')})`];
    }
    if (!JSON_TYPES.includes(type) || schema === undefined) return [];
    const errors = this.validate(schema, body);
    return errors.map((e) => `${where}: body${e.instancePath} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`);
  }

  /** Validates a value against a schema of the document (a `$ref` or an inline schema using them). */
  validate(schema: Json, value: unknown): ErrorObject[] {
    const key = JSON.stringify(schema);
    let validator = this.validators.get(key);
    if (!validator) {
      const inline = JSON.parse(JSON.stringify(toJsonSchema(schema)).replace(/"#\/components\/schemas\//g, '"openapi#/components/schemas/'));
      validator = this.ajv.compile(inline);
      this.validators.set(key, validator);
    }
    return validator(value) ? [] : (validator.errors ?? []).slice(0, 8);
  }
}

let shared: ResponseContract | undefined;
export const responseContract = (): ResponseContract => (shared ??= ResponseContract.fromCommittedDocument());

/** A supertest assertion: fails the request's test when the answer breaks the contract. */
export function assertMatchesContract(res: { req?: { method?: string; path?: string }; status: number; headers: Record<string, string>; body: unknown; text?: string }): void {
  const method = res.req?.method ?? 'GET';
  const url = res.req?.path ?? '';
  const problems = responseContract().check(method, url, res.status, res.headers['content-type'], res.body);
  if (problems.length) {
    throw new Error(`The answer does not match openapi.json:\n  ${problems.join('\n  ')}\nBody: ${(res.text ?? JSON.stringify(res.body)).slice(0, 500)}`);
  }
}
