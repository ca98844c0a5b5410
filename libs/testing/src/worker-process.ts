import { spawn, type ChildProcess } from 'node:child_process';
import { appEntry, freePort, WORKER_NODE_FLAGS } from '@app/dev-stack';
import { eventually } from './eventually';

/** The built worker as a real process, started the way `npm start` starts it, to be killed with signals. */
export class WorkerProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(env: Record<string, string>): Promise<WorkerProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, appEntry('worker')], {
      env: { PATH: process.env.PATH ?? '', ...env, WORKER_HTTP_PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(child, port);
    await eventually(
      `worker ${child.pid} to be ready`,
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`the worker exited with ${child.exitCode}:\n${worker.output}`);
        }
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
        return response?.status === 200 ? true : undefined;
      },
      60_000,
    );
    return worker;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get log(): string {
    return this.output;
  }

  /** Sends the signal and waits until the process is gone. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}
