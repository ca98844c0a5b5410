const WIDTH = 30;

/**
 * A progress line on stderr: redrawn in place on a terminal; elsewhere (CI, a log file) one line
 * each tenth of the way, so that a long run still shows it is moving without flooding the log.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastTenth = -1;

  constructor(
    private readonly label: string,
    private readonly unit: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number): void {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const filled = Math.round(fraction * WIDTH);
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${this.unit} (${Math.floor(fraction * 100)}%), ${rate.toLocaleString('en')} ${this.unit}/s`;
    if (this.stream.isTTY === true) {
      this.stream.write(`\r${line}${done >= total ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${line}\n`);
    }
  }
}
