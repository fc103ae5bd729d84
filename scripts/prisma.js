#!/usr/bin/env node
// Runs the Prisma CLI. `prisma generate` needs no engine, but the CLI looks for the native schema
// engine and tries to download it where it is missing; pointing it at any existing file stops that.
// Migrations are applied by the gateway itself (src/database/migrator.ts), not by this CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const enginesDir = path.join(import.meta.dirname, '..', 'node_modules', '@prisma', 'engines');
const hasNativeEngine = existsSync(enginesDir) && readdirSync(enginesDir).some((f) => f.startsWith('schema-engine'));
const env = { CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1', ...process.env };
if (!hasNativeEngine && !env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;

const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
