import type { CompletedSession } from '@app/domain';
import type { InboundMessage } from '@app/messaging';

/** What every log line about one message carries, so that an operator can find it on its topic and in the database. */
export interface MessageFields {
  readonly eventId?: string;
  readonly userId?: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * The ids of a message: from the parsed event, else whatever an invalid one still names (its JSON
 * fields when it is a JSON object, else its key, which producers set to the userId).
 */
export function messageFields(message: InboundMessage, session?: CompletedSession): MessageFields {
  const place = { topic: message.topic, partition: message.partition, offset: message.offset };
  if (session !== undefined) {
    return { eventId: session.eventId, userId: session.userId, ...place };
  }
  const named = namedIds(message.value);
  const key = message.key?.toString('utf8');
  return { eventId: named.eventId, userId: named.userId ?? key, ...place };
}

function namedIds(value: Buffer | null): { eventId?: string; userId?: string } {
  try {
    const document: unknown = JSON.parse(value?.toString('utf8') ?? '');
    if (typeof document !== 'object' || document === null) {
      return {};
    }
    const { eventId, userId } = document as Record<string, unknown>;
    return { eventId: typeof eventId === 'string' ? eventId : undefined, userId: typeof userId === 'string' ? userId : undefined };
  } catch {
    return {};
  }
}

/** What every line about a run carries: where it sits on its partition. */
export function runFields(messages: readonly InboundMessage[]) {
  return {
    topic: messages[0].topic,
    partition: messages[0].partition,
    firstOffset: messages[0].offset,
    lastOffset: messages[messages.length - 1].offset,
    size: messages.length,
  };
}
