import { types } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '../../../migrations';
import { entities } from './entities';

const DATE_OID = 1082;
// Calendar dates stay 'YYYY-MM-DD' strings: pg's default turns them into Dates at local midnight,
// which shifts the day in any process whose TZ is not UTC. Local dates are computed in the domain only.
types.setTypeParser(DATE_OID, (value: string) => value);

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
    extra: { max: settings.poolSize },
  };
}

export function createDataSource(settings: DatabaseSettings, applicationName?: string): DataSource {
  return new DataSource(dataSourceOptions(settings, applicationName));
}
