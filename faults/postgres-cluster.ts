import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './harness.js';

// A Postgres cluster of our own, on a loopback port, that a fault scenario may stop and start
// (the machine's shared server must not be restarted under the other tests). Postgres refuses
// to run as root, so as root the cluster belongs to the `postgres` user.

const exec = promisify(execFile);

async function binDir(): Promise<string> {
  const { stdout } = await exec('pg_config', ['--bindir']);
  return stdout.trim();
}

export class TemporaryCluster {
  private dir = '';
  private bin = '';
  port = 0;

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    this.bin = await binDir();
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'og-faults-pg-'));
    if (process.getuid?.() === 0) {
      const { stdout } = await exec('id', ['-u', 'postgres']);
      const { stdout: group } = await exec('id', ['-g', 'postgres']);
      chownSync(this.dir, Number(stdout.trim()), Number(group.trim()));
    }
    this.port = await freePort();
    await this.pg('initdb', ['-D', this.data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    await this.up();
  }

  /** Stops as a crash would (`immediate`: no checkpoint, connections cut) and starts again after `downMs`. */
  async restart(downMs: number): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.up();
  }

  async stop(): Promise<void> {
    if (!this.dir) return;
    await this.pg('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get data(): string {
    return path.join(this.dir, 'data');
  }

  private async up(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c max_connections=200`;
    await this.pg('pg_ctl', ['-D', this.data, '-o', options, '-l', path.join(this.dir, 'log'), '-w', 'start']);
  }

  private async pg(program: string, args: string[]): Promise<void> {
    const file = path.join(this.bin, program);
    if (process.getuid?.() === 0) await exec('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: '/' });
    else await exec(file, args);
  }
}
