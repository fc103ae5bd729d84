import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator.js';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';
import { projectPath } from '../common/project-path.js';

// npm run openapi        regenerates src/metadata.ts (the Swagger plugin's reading of the DTOs)
//                        and openapi/openapi.json (the document the gateway serves).
// npm run openapi:check  fails when either differs from what the code produces.

const METADATA_FILE = projectPath('src', 'metadata.ts');
const DOCUMENT_FILE = projectPath('openapi', 'openapi.json');

function generateMetadata(): string {
  const outputDir = mkdtempSync(path.join(os.tmpdir(), 'og-metadata-'));
  try {
    new PluginMetadataGenerator().generate({
      visitors: [
        new ReadonlyVisitor({
          introspectComments: true,
          classValidatorShim: true,
          pathToSource: projectPath('src'),
          dtoFileNameSuffix: ['.dto.ts', '.model.ts', '.query.ts'],
        }),
      ],
      outputDir,
      tsconfigPath: path.relative(process.cwd(), projectPath('tsconfig.json')),
      printDiagnostics: false,
    });
    return readFileSync(path.join(outputDir, 'metadata.ts'), 'utf8');
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
}

async function generateDocument(): Promise<string> {
  // Loaded only now, so that the app reads the metadata as it is on disk after generation.
  const { createApp } = await import('../app.factory.js');
  const { buildOpenApiDocument } = await import('../openapi.js');
  const { loadConfig } = await import('../config/app-config.js');
  const packageJson = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string };
  // Nothing connects while the document is built; the URLs only have to be well-formed.
  const unused = {
    url: 'http://127.0.0.1:1/',
    ident: 'unused',
    secret: 'unused',
    connectTimeoutMs: 1,
    readTimeoutMs: 1,
  };
  const app = await createApp(
    loadConfig({ SYNC_WORKER: 'false' }),
    { url: 'postgresql://unused@127.0.0.1:1/unused', embedded: false },
    unused,
  );
  try {
    return `${JSON.stringify(await buildOpenApiDocument(app, packageJson.version), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const metadata = generateMetadata();
  if (check) {
    const stale: string[] = [];
    if (read(METADATA_FILE) !== metadata) stale.push('src/metadata.ts');
    if (read(DOCUMENT_FILE) !== (await generateDocument())) stale.push('openapi/openapi.json');
    if (stale.length > 0) {
      console.error(`Stale: ${stale.join(', ')}. Run npm run openapi and commit the result.`);
      process.exit(1);
    }
    console.log('openapi/openapi.json and src/metadata.ts match the code.');
    return;
  }
  writeFileSync(METADATA_FILE, metadata);
  writeFileSync(DOCUMENT_FILE, await generateDocument());
  console.log('Wrote src/metadata.ts and openapi/openapi.json.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
