import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder holding the project's package.json, found upwards from this file (source or build). */
export function projectRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'nest-cli.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`cannot find the project root above ${from}`);
    }
    dir = parent;
  }
  return dir;
}
