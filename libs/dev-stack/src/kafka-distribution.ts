import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Progress } from './progress';
import { projectRoot } from './project-root';

/** The broker version the project runs and tests against (kafkajs 2.2.4 checked against it: produce, groups, admin). */
export const KAFKA_VERSION = '4.4.0';

function run(command: string, args: string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') {
          tail.push(line);
          tail.splice(0, Math.max(0, tail.length - 30));
          onLine(line);
        }
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}:\n${tail.join('\n')}`)),
    );
  });
}

/**
 * The broker's jars, resolved from Maven Central once per version into a git-ignored cache
 * (`.cache/kafka/<version>/libs`). Returns the folder for a `java -cp 'folder/*'` class path.
 */
export async function kafkaDistribution(progress: Progress, version = KAFKA_VERSION): Promise<string> {
  const root = projectRoot();
  const home = join(root, '.cache', 'kafka', version);
  const libs = join(home, 'libs');
  if (existsSync(libs) && readdirSync(libs).some((file) => file.startsWith('kafka_2.13-'))) {
    return libs;
  }
  progress(`fetching Apache Kafka ${version} (kafka_2.13 and its dependencies) from Maven Central with mvn...`);
  const staging = join(home, `libs.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  let downloaded = 0;
  await run(
    'mvn',
    [
      '-B',
      '-f',
      join(root, 'libs', 'dev-stack', 'maven', 'kafka-broker.pom.xml'),
      'dependency:copy-dependencies',
      `-Dkafka.version=${version}`,
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ],
    (line) => {
      if (line.includes('Downloaded from')) {
        downloaded += 1;
        if (downloaded % 10 === 0) {
          progress(`  ${downloaded} files downloaded...`);
        }
      }
    },
  );
  rmSync(libs, { recursive: true, force: true });
  renameSync(staging, libs);
  progress(`Kafka ${version}: ${readdirSync(libs).length} jars cached in ${libs}`);
  return libs;
}
