import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Progress } from './progress';

/** Debian's Chromium, where the dashboard's browser test finds it unless CHROMIUM_PATH says otherwise. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * The Chromium the browser test drives: CHROMIUM_PATH, else Debian's, installed with apt-get when it
 * is missing and the tests run as root (as on a fresh machine of this kind), so that `npm test` needs
 * no step before it. Elsewhere a missing browser is an error that says how to get one.
 */
export function ensureChromium(progress: Progress, configured = process.env.CHROMIUM_PATH): string {
  const path = configured ?? DEFAULT_CHROMIUM;
  if (existsSync(path)) {
    return path;
  }
  const canInstall = configured === undefined && process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0;
  if (!canInstall) {
    throw new Error(`no Chromium at ${path} for the dashboard's browser test: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  progress('installing Chromium with apt-get for the dashboard’s browser test (once)...');
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
    const step = spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (step.status !== 0) {
      throw new Error(`apt-get ${args.join(' ')} failed:\n${step.stdout}${step.stderr}`);
    }
  }
  if (!existsSync(path)) {
    throw new Error(`apt-get installed chromium, but not at ${path}: set CHROMIUM_PATH`);
  }
  return path;
}
