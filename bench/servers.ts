import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LoadResult, LoadSpec } from './load.js';

// The processes of a benchmark: servers started from source (the gateway, the baseline) and the
// load generator, each a process of its own.

const ROOT = path.join(import.meta.dirname, '..');
const TYPESCRIPT = ['--import', '@swc-node/register/esm-register'];
const exec = promisify(execFile);

export interface Server {
  url: string;
  pid: number;
  /** What the process printed first (its first 100 kB). */
  output(): string;
  stop(): Promise<void>;
}

export function startServer(script: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<Server> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  // Built JavaScript (dist/) runs as production runs it; TypeScript through SWC's loader.
  const loader = script.endsWith('.ts') ? TYPESCRIPT : [];
  const child: ChildProcess = spawn(process.execPath, [...loader, path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      // Only the start is kept: the access log of a benchmark is large and nobody reads it.
      if (output.length < 100_000) output += chunk.toString();
      const match = ready.exec(output);
      if (match?.[1]) {
        resolve({
          url: match[1],
          pid: child.pid!,
          output: () => output,
          stop: async () => {
            if (child.exitCode !== null) return;
            const exited = new Promise((done) => child.once('exit', done));
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
}

/**
 * The gateway from source as the API benchmarks measure it, on `databaseUrl`: forwarding and the
 * rate limit off unless `env` says otherwise.
 */
export function startApiGateway(databaseUrl: string, env: NodeJS.ProcessEnv = {}): Promise<Server> {
  return startServer(
    'src/main.ts',
    { DATABASE_URL: databaseUrl, PORT: '0', SYNC_WORKER: 'false', RATE_LIMIT_REQUESTS: '0', LOG_LEVEL: 'info', ...env },
    /Listening on (http:\/\/[^;\s]+)/,
  );
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  const { stdout } = await exec(
    process.execPath,
    [...TYPESCRIPT, path.join(ROOT, 'bench', 'load.ts'), JSON.stringify(spec)],
    {
      cwd: ROOT,
      maxBuffer: 10_000_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as LoadResult;
}

/** The middle of the figures (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
