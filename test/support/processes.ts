import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

// Runs the project's own entry points as real processes, from source.

const ROOT = path.join(import.meta.dirname, '..', '..');
const TYPESCRIPT = ['--import', '@swc-node/register/esm-register'];

/** The environment without the test run's DATABASE_URL, plus the given variables. */
export function environment(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...rest } = process.env;
  return { ...rest, LOG_LEVEL: 'info', ...extra };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TYPESCRIPT, path.join(ROOT, script), ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningGateway {
  process: ChildProcess;
  url: string;
  output(): string;
  /** The first admin key, if this start printed one. */
  adminKey: string | undefined;
  stop(): Promise<number | null>;
}

/** Starts src/main.ts and waits until it listens (or fails with its output). */
export function startGatewayProcess(env: NodeJS.ProcessEnv): Promise<RunningGateway> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TYPESCRIPT, path.join(ROOT, 'src', 'main.ts')], { cwd: ROOT, env });
    let output = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /Listening on (http:\/\/[^;\s]+)/.exec(output);
      if (listening?.[1]) {
        resolve({
          process: child,
          url: listening[1],
          output: () => output,
          adminKey: /shown only this once: (og_[A-Za-z0-9_-]+)/.exec(output)?.[1],
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`gateway exited with ${code} before listening:\n${output}`)));
  });
}
