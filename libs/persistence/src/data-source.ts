import { Client, types, type ClientConfig } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '../../../migrations';
import { entities } from './entities';

const DATE_OID = 1082;
// Calendar dates stay 'YYYY-MM-DD' strings: pg's default turns them into Dates at local midnight,
// which shifts the day in any process whose TZ is not UTC. Local dates are computed in the domain only.
types.setTypeParser(DATE_OID, (value: string) => value);

/**
 * A pg client that always has an 'error' listener. When the server drops a connection a transaction
 * holds, pg can emit 'error' after TypeORM released the client and removed its own listener; unheard,
 * that event would end the process. The statement that hit the dropped connection still fails, and
 * the transaction is retried as a transient fault.
 */
class ResilientClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

export interface DatabaseSettings {
  readonly url: string;
  readonly poolSize: number;
}

export function dataSourceOptions(settings: DatabaseSettings, applicationName = 'gamification-engine'): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities,
    migrations,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    applicationName,
    extra: { max: settings.poolSize, Client: ResilientClient, connectionTimeoutMillis: 10_000 },
  };
}

export function createDataSource(settings: DatabaseSettings, applicationName?: string): DataSource {
  return new DataSource(dataSourceOptions(settings, applicationName));
}
