import { ConsoleLogger } from '@nestjs/common';

/** Nest's console logger with its warnings on stderr (errors go there already): stdout holds only the command's output. */
export class StderrConsoleLogger extends ConsoleLogger {
  override warn(message: unknown, ...optionalParams: unknown[]): void {
    const last = optionalParams[optionalParams.length - 1];
    this.printMessages([message], typeof last === 'string' ? last : this.context, 'warn', 'stderr');
  }
}
