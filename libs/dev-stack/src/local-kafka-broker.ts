import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './free-port';
import { kafkaDistribution, KAFKA_VERSION } from './kafka-distribution';
import type { Progress } from './progress';

export interface RunningKafka {
  readonly brokers: string[];
  /** The local broker's ports; absent for a broker found elsewhere. */
  readonly ports?: { readonly broker: number; readonly controller: number };
  /** Where the broker writes its log, for reading when something goes wrong. */
  readonly logFile: string | null;
  stop(): Promise<void>;
}

export interface LocalKafkaOptions {
  /** Kept between runs when given (the demo); a fresh one is made per run otherwise. */
  readonly dataDir: string;
  readonly progress: Progress;
  readonly version?: string;
  readonly heapMb?: number;
  /** Listen on these ports (to restart a stopped broker where its clients expect it); free ones otherwise. */
  readonly ports?: { readonly broker: number; readonly controller: number };
  /**
   * Run the broker in a process group of its own, so that a terminal's Ctrl-C (SIGINT to the whole
   * foreground group) does not reach it and its owner can stop it last, after the broker's clients
   * have left their groups. The owner must then stop it itself, on every way out.
   */
  readonly ownProcessGroup?: boolean;
}

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(dataDir, 'logs')}`,
    // A single broker: internal topics must not ask for more replicas than there are,
    // or the consumer-offsets topic is never created and groups never find a coordinator.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'num.partitions=1',
    '',
  ].join('\n');
}

const LOG4J2 = `status = error
appender.file.type = File
appender.file.name = file
appender.file.fileName = \${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache
logger.apache.level = WARN
`;

function runJava(libs: string, args: string[], dataDir: string, heapMb: number, detached = false): ChildProcess {
  return spawn(
    'java',
    [
      `-Xmx${heapMb}m`,
      '-Xms128m',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${dataDir}`,
      '-cp',
      join(libs, '*'),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached },
  );
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitUntilReady(brokers: string[], child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const exited = waitForExit(child).then((code) => {
    throw new Error(`the Kafka broker exited with code ${code} while starting; see ${logFile}`);
  });
  const kafka = new Kafka({ brokers, clientId: 'dev-stack-probe', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const deadline = Date.now() + timeoutMs;
  const probe = async () => {
    for (;;) {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.describeCluster();
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`the Kafka broker did not answer within ${timeoutMs / 1000} s; see ${logFile}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
  };
  await Promise.race([probe(), exited]);
}

/**
 * Starts a real single-node Apache Kafka broker in KRaft mode (broker and controller in one JVM),
 * fetched from Maven Central, on free loopback ports.
 */
export async function startLocalKafka(options: LocalKafkaOptions): Promise<RunningKafka> {
  const { dataDir, progress } = options;
  const version = options.version ?? KAFKA_VERSION;
  const heapMb = options.heapMb ?? 512;
  const libs = await kafkaDistribution(progress, version);
  mkdirSync(dataDir, { recursive: true });
  const port = options.ports?.broker ?? (await freePort());
  const controllerPort = options.ports?.controller ?? (await freePort());
  const propertiesFile = join(dataDir, 'server.properties');
  writeFileSync(propertiesFile, serverProperties(dataDir, port, controllerPort));
  writeFileSync(join(dataDir, 'log4j2.properties'), LOG4J2);
  const logFile = join(dataDir, 'server.log');

  if (!existsSync(join(dataDir, 'logs', 'meta.properties'))) {
    progress('formatting the KRaft storage...');
    const clusterId = randomBytes(16).toString('base64url');
    // `--cluster-id=…` in one argument: a base64url id starts with '-' once in 64, and the tool's
    // argument parser then takes the id for an option and refuses to format.
    const format = runJava(libs, ['kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', propertiesFile], dataDir, 256);
    let output = '';
    format.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    format.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await waitForExit(format);
    if (code !== 0) {
      throw new Error(`formatting Kafka storage failed (exit ${code}):\n${output}`);
    }
  }

  progress(`starting Kafka ${version} (KRaft, single node) on 127.0.0.1:${port}...`);
  const started = Date.now();
  const child = runJava(libs, ['kafka.Kafka', propertiesFile], dataDir, heapMb, options.ownProcessGroup === true);
  const consoleLog = createWriteStream(join(dataDir, 'console.log'), { flags: 'a' });
  child.stdout?.pipe(consoleLog);
  child.stderr?.pipe(consoleLog);
  const brokers = [`127.0.0.1:${port}`];
  try {
    await waitUntilReady(brokers, child, logFile, 120_000);
  } catch (error) {
    child.kill('SIGKILL');
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    throw new Error(`${(error as Error).message}\n${log}`, { cause: error });
  }
  progress(`Kafka is ready on ${brokers[0]} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  return {
    brokers,
    ports: { broker: port, controller: controllerPort },
    logFile,
    stop: async () => {
      if (child.exitCode !== null) {
        return;
      }
      const exited = waitForExit(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
