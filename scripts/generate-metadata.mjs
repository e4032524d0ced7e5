// Generates src/metadata.ts: what the @nestjs/swagger CLI plugin learns from the DTOs' types and
// comments. The build (swc) and the tests load it, so the OpenAPI document is the same in both.
import { existsSync, writeFileSync } from 'node:fs';
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator.js';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';

const target = new URL('../src/metadata.ts', import.meta.url);
// The app imports this file; give the type checker a stub on a fresh clone.
if (!existsSync(target)) writeFileSync(target, 'export default async () => ({});\n');

new PluginMetadataGenerator().generate({
  visitors: [new ReadonlyVisitor({ introspectComments: true, classValidatorShim: true, dtoFileNameSuffix: ['.dto.ts'], pathToSource: new URL('../src', import.meta.url).pathname })],
  outputDir: new URL('../src', import.meta.url).pathname,
  tsconfigPath: 'tsconfig.build.json',
  filename: 'metadata.ts',
  printDiagnostics: true,
});
