import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import type { DeadLetterCode } from '../contracts/dead-letter-code';
import type { InboundMessage } from './batch-consumer';
import { EventPublisher } from './event-publisher';

export interface DeadLetter {
  readonly message: InboundMessage;
  readonly code: DeadLetterCode;
  readonly reason: string;
}

/** Sends a message that cannot be applied to the DLQ: original key and bytes, plus headers saying why and whence. */
@Injectable()
export class DeadLetterPublisher {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly config: AppConfig,
  ) {}

  /** Publishes the dead letters in one request; resolves once the broker acknowledged all of them. */
  async publish(letters: readonly DeadLetter[]): Promise<void> {
    await this.publisher.publish(
      letters.map(({ message, code, reason }) => ({
        topic: this.config.topics.sessionCompletedDlq,
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          'x-error-code': code,
          'x-error-message': reason.slice(0, 2000),
          'x-original-topic': message.topic,
          'x-original-partition': String(message.partition),
          'x-original-offset': message.offset,
        },
      })),
    );
  }
}
