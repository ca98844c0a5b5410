import { Logger, type Provider } from '@nestjs/common';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { AppConfig } from '@app/config';

export const KAFKA = Symbol('KAFKA');

const logger = new Logger('kafkajs');

function logEntry({ level, log }: LogEntry): void {
  const { message, ...extra } = log;
  const line = `${message} ${JSON.stringify(extra)}`;
  // kafkajs logs every error response of a broker as an ERROR, also the ones it retries itself
  // (for instance "group coordinator not available" while a fresh broker elects one): a warning.
  const retriedResponse = message.startsWith('Response ');
  if ((level === logLevel.ERROR || level === logLevel.NOTHING) && !retriedResponse) {
    logger.error(line);
  } else if (level === logLevel.WARN || retriedResponse) {
    logger.warn(line);
  } else if (level === logLevel.INFO) {
    logger.log(line);
  } else {
    logger.debug(line);
  }
}

export function createKafka(brokers: readonly string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.WARN,
    logCreator: () => logEntry,
    // A broker restart must not end the process: keep reconnecting, backing off up to 30 s.
    retry: { initialRetryTime: 300, maxRetryTime: 30_000, retries: 10 },
  });
}

export const kafkaProvider: Provider = {
  provide: KAFKA,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => createKafka(config.kafka.brokers, config.kafka.clientId),
};
