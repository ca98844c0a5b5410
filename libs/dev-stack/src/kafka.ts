import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasDockerEngine } from './docker';
import { KAFKA_VERSION } from './kafka-distribution';
import { startLocalKafka, type RunningKafka } from './local-kafka-broker';
import type { Progress } from './progress';

export interface KafkaRequest {
  /** KAFKA_BROKERS, when the user names a broker. */
  readonly brokers?: string;
  /** Keep the broker's data in this folder between runs; a throw-away folder otherwise. */
  readonly dataDir?: string;
  readonly progress: Progress;
  /** For a local broker: keep it out of the terminal's process group (see LocalKafkaOptions). */
  readonly ownProcessGroup?: boolean;
}

/**
 * A Kafka broker, found or started the same way for the demo and the tests: the one KAFKA_BROKERS
 * names; else a Testcontainers broker where a Docker engine runs; else a real local broker from Maven Central.
 */
export async function findOrStartKafka(request: KafkaRequest): Promise<RunningKafka> {
  if (request.brokers !== undefined && request.brokers !== '') {
    request.progress(`using the Kafka brokers in KAFKA_BROKERS: ${request.brokers}`);
    return { brokers: request.brokers.split(','), logFile: null, stop: async () => undefined };
  }
  if (hasDockerEngine()) {
    request.progress(`starting Kafka ${KAFKA_VERSION} in Docker with Testcontainers...`);
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
    return {
      brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`],
      logFile: null,
      stop: async () => {
        await container.stop();
      },
    };
  }
  const dataDir = request.dataDir ?? mkdtempSync(join(tmpdir(), 'gamification-kafka-'));
  const broker = await startLocalKafka({ dataDir, progress: request.progress, ownProcessGroup: request.ownProcessGroup });
  if (request.dataDir !== undefined) {
    return broker;
  }
  return {
    ...broker,
    stop: async () => {
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
