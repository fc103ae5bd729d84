import { spawnSync } from 'node:child_process';
import path from 'node:path';

// Jest loads this file outside its module system, so the TypeScript work runs in a child process.
export default function globalSetup() {
  const script = path.join(import.meta.dirname, 'prepare-template.ts');
  const result = spawnSync(process.execPath, ['--import', '@swc-node/register/esm-register', script], {
    stdio: 'inherit',
    env: process.env,
  });
  if (result.status !== 0) throw new Error('Preparing the test database template failed (see above).');
}
