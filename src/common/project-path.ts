import { existsSync } from 'node:fs';
import path from 'node:path';

// Source files run from src/ (tests, tools) and compiled ones from dist/, at different depths;
// both find the project by its package.json.
function findProjectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${import.meta.dirname}`);
    dir = parent;
  }
  return dir;
}

const projectRoot = findProjectRoot();

export function projectPath(...segments: string[]): string {
  return path.join(projectRoot, ...segments);
}
