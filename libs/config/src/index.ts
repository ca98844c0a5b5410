export * from './app-config';
export * from './config.module';
export * from './configuration.error';
export * from './rules-file';
export * from './logging.module';
