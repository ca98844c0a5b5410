import { join } from 'node:path';
import { projectRoot } from './project-root';

/**
 * How the built apps are started: the entry points `nest build` writes, and the worker's heap cap.
 * V8 otherwise grows the heap towards a quarter of the machine's memory under a steady allocation
 * rate; the worker's live data is a few tens of MB, and 160 MB of old space keeps its RSS near 250 MB
 * at full speed. package.json's start script, the Dockerfile and docker-compose.yml use the same flag.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=160'];

export function appEntry(app: 'worker' | 'api' | 'cli'): string {
  return join(projectRoot(), 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
}
