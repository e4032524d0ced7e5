import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

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
    .build();
  // setContact() would also write `url: ""`, which is not a valid URL.
  config.info.contact = { name: 'Program office', email: 'it@disdik.example.go.id' };
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
}

export async function mountSwagger(app: NestFastifyApplication): Promise<OpenAPIObject> {
  const document = await buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: 'Laptop loan program API' });
  return document;
}
