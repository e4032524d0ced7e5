import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { documentEtags } from './common/etag.js';

/** Builds the OpenAPI document from the code (the swagger CLI plugin's metadata plus decorators). */
export async function buildOpenApiDocument(app: NestFastifyApplication): Promise<OpenAPIObject> {
  const { default: metadata } = await import('./metadata.js');
  await SwaggerModule.loadPluginMetadata(metadata);
  const config = new DocumentBuilder()
    .setTitle('Laptop loan program API')
    .setDescription(
      "Backend of a city education office's free-laptop program: device stock, eligibility, borrow-and-use agreements, returns and audit. " +
        'Errors are RFC 9457 problem details (application/problem+json). Lists use cursor pagination (`limit`, `cursor`, `{ items, nextCursor }`).',
    )
    .setVersion('1.0.0')
    .setLicense('Proprietary', 'https://example.go.id/license')
    .addServer('/', 'This server')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Token from POST /api/v1/auth/login' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Key from POST /api/v1/api-keys' }, 'apiKey')
    .addTag('auth', 'Logging in')
    .addTag('schools', 'Schools taking part in the program')
    .addTag('users', 'User accounts (program administrators only)')
    .addTag('api-keys', 'Keys for other city systems (program administrators only)')
    .addTag('devices', 'Device models, procurement batches, devices, transfers, repairs and stock')
    .addTag('students', 'Students and their guardians')
    .addTag('student-data-rights', 'Guardian consents, data export, retention (anonymisation) and the access log (Law 27/2022)')
    .addTag('programs', 'Programs, eligibility, applications and allocation')
    .addTag('loans', 'Borrow-and-use agreements: issue, return, extend, loss, transfer')
    .addTag('charges', 'Charges for damage and loss, price lists, payments and waivers')
    .addTag('notifications', 'Reminders and escalations waiting in the outbox or delivered')
    .addTag('reports', 'Coverage, stock reconciliation, overdue, losses and activity reports (JSON or CSV), and the printable summary')
    .addTag('worklists', "A school's worklists: overdue loans, leavers holding devices, open charges, devices awaiting pick-up")
    .addTag('audit', 'The append-only, hash-chained audit log')
    .addTag('operations', 'Health and metrics')
    .addGlobalParameters({
      name: 'Accept-Language',
      in: 'header',
      required: false,
      description:
        'The language of `title`, `detail` and every message, field error, import error and eligibility reason: `id` (Bahasa Indonesia) or `en` (English, the default). Quality values are honoured (`id-ID,id;q=0.9,en;q=0.8`). Codes and params are the same in both.',
      schema: { type: 'string' },
    })
    .build();
  // setContact() would also write `url: ""`, which is not a valid URL.
  config.info.contact = { name: 'Program office', email: 'it@disdik.example.go.id' };
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  closeSchemas(document);
  documentEtags(document);
  return document;
}

/**
 * Every DTO schema lists all its properties, so an unlisted one is an error, not an extension:
 * `additionalProperties: false` unless a schema says otherwise (free-form ones say `true`, maps
 * give their value schema). Generated clients then get exact types, and the contract test's
 * response validation fails on any undocumented field.
 */
function closeSchemas(document: OpenAPIObject): void {
  const close = (schema: unknown): void => {
    if (!schema || typeof schema !== 'object') return;
    const node = schema as Record<string, unknown>;
    if (node.properties && node.additionalProperties === undefined) node.additionalProperties = false;
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(close);
      else close(value);
    }
  };
  Object.values(document.components?.schemas ?? {}).forEach(close);
}

/**
 * Swagger UI's "Try it out": an `Idempotency-Key` field is filled with a fresh key, so a creating
 * POST works as is (and a second Execute with the same key shows the replay). These functions are
 * sent to the browser as source text: they may use nothing outside themselves.
 */
export const swaggerUiOptions = {
  parameterMacro: (_operation: unknown, parameter: { name?: string; in?: string }) => {
    if (parameter.in !== 'header' || parameter.name?.toLowerCase() !== 'idempotency-key') return undefined;
    // crypto.randomUUID exists only in secure contexts (https, localhost).
    return typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function'
      ? crypto.randomUUID()
      : 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => ((Math.random() * 16) | (c === 'x' ? 0 : 8)).toString(16).slice(-1));
  },
  /** A request sent without a key (the field cleared, or a POST that has no field) still gets a fresh one. */
  requestInterceptor: (request: { method?: string; headers?: Record<string, string> }) => {
    const headers = (request.headers ??= {});
    const method = (request.method ?? 'GET').toUpperCase();
    const given = Object.keys(headers).some((name) => name.toLowerCase() === 'idempotency-key' && headers[name] !== '');
    if (method === 'POST' && !given) {
      headers['Idempotency-Key'] =
        typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function'
          ? crypto.randomUUID()
          : 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => ((Math.random() * 16) | (c === 'x' ? 0 : 8)).toString(16).slice(-1));
    }
    return request;
  },
};

export async function mountSwagger(app: NestFastifyApplication): Promise<OpenAPIObject> {
  const document = await buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Laptop loan program API',
    swaggerOptions: swaggerUiOptions,
  });
  return document;
}
