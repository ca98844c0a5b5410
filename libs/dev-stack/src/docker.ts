import { spawnSync } from 'node:child_process';

/** True when a Docker engine answers (a docker client alone is not enough). */
export function hasDockerEngine(): boolean {
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000, stdio: 'pipe' });
  return result.status === 0 && result.stdout.toString().trim() !== '';
}
