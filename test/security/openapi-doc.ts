/**
 * Reading the OpenAPI document the running service serves (GET /docs-json): its operations, their
 * documented statuses and schemas. Both security suites walk this, so an endpoint added to the
 * code is covered by them without anyone listing it.
 */

export type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  nullable?: boolean;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  example?: unknown;
  default?: unknown;
  description?: string;
};

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  /** `METHOD /path/{template}`, the policy table's key. */
  key: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  public: boolean;
  parameters: Parameter[];
  /** Request body schemas by content type. */
  body?: { required: boolean; content: Record<string, { schema: Schema; example?: unknown }> };
  /** Documented response statuses, with the JSON schema of each (when JSON). */
  responses: Map<number, { contentTypes: string[]; schema?: Schema }>;
}

export type OpenApiDocument = {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, Schema> };
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function operations(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => {
      const op = item[m];
      const responses = new Map<number, { contentTypes: string[]; schema?: Schema }>();
      for (const [status, response] of Object.entries<any>(op.responses ?? {})) {
        const content = response.content ?? {};
        const json = content['application/json'] ?? content['application/problem+json'];
        responses.set(Number(status), { contentTypes: Object.keys(content), schema: json?.schema });
      }
      return {
        key: `${m.toUpperCase()} ${path}`,
        method: m.toUpperCase() as Operation['method'],
        path,
        public: !(op.security ?? doc['security' as keyof OpenApiDocument] ?? []).length,
        parameters: [...(item.parameters ?? []), ...(op.parameters ?? [])],
        body: op.requestBody,
        responses,
      };
    }),
  );
}

/** Follows `$ref`s (and merges `allOf`) until a concrete schema. */
export function resolve(doc: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined;
  if (schema.$ref) return resolve(doc, doc.components.schemas[schema.$ref.split('/').pop()!]);
  if (schema.allOf) {
    const parts = schema.allOf.map((s) => resolve(doc, s)!);
    const { allOf: _, ...rest } = schema;
    return parts.reduce<Schema>(
      (acc, p) => ({ ...acc, ...p, properties: { ...acc.properties, ...p.properties }, required: [...(acc.required ?? []), ...(p.required ?? [])] }),
      rest,
    );
  }
  return schema;
}

/**
 * Checks a value against a schema (the subset Nest's generator writes: type, nullable, enum,
 * required, properties, items, oneOf/anyOf, $ref, allOf). Returns where it differs, at most a few.
 */
export function mismatches(doc: OpenApiDocument, schema: Schema | undefined, value: unknown, at = '$', out: string[] = []): string[] {
  const s = resolve(doc, schema);
  if (!s || out.length > 5) return out;
  if (value === null) {
    if (!s.nullable && s.type !== undefined && s.type !== 'null') out.push(`${at}: null but the schema does not say nullable`);
    return out;
  }
  if (s.oneOf || s.anyOf) {
    const options = (s.oneOf ?? s.anyOf)!;
    if (!options.some((o) => mismatches(doc, o, value, at).length === 0)) out.push(`${at}: matches none of oneOf/anyOf`);
    return out;
  }
  if (s.enum && !s.enum.includes(value)) out.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  switch (s.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        out.push(`${at}: expected an object`);
        break;
      }
      for (const name of s.required ?? []) if (!(name in (value as object))) out.push(`${at}.${name}: required but absent`);
      for (const [name, propSchema] of Object.entries(s.properties ?? {})) {
        const v = (value as Record<string, unknown>)[name];
        if (v !== undefined) mismatches(doc, propSchema, v, `${at}.${name}`, out);
      }
      break;
    }
    case 'array':
      if (!Array.isArray(value)) out.push(`${at}: expected an array`);
      else value.slice(0, 20).forEach((v, i) => mismatches(doc, s.items, v, `${at}[${i}]`, out));
      break;
    case 'string':
      if (typeof value !== 'string') out.push(`${at}: expected a string, got ${typeof value}`);
      break;
    case 'integer':
      if (!Number.isInteger(value)) out.push(`${at}: expected an integer`);
      break;
    case 'number':
      if (typeof value !== 'number') out.push(`${at}: expected a number, got ${typeof value}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${at}: expected a boolean`);
      break;
  }
  return out;
}

/** A request body built from a schema's examples and defaults (for operations without a recipe). */
export function exampleOf(doc: OpenApiDocument, schema: Schema | undefined, depth = 0): unknown {
  const s = resolve(doc, schema);
  if (!s || depth > 6) return undefined;
  if (s.example !== undefined) return s.example;
  if (s.default !== undefined) return s.default;
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'object':
      return Object.fromEntries((s.required ?? []).map((name) => [name, exampleOf(doc, s.properties?.[name], depth + 1)]));
    case 'array':
      return [exampleOf(doc, s.items, depth + 1)];
    case 'string':
      return s.format === 'uuid' ? '00000000-0000-4000-8000-000000000000' : 'x';
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
  }
  return undefined;
}

export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
