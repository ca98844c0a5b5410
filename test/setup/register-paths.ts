import { join } from 'node:path';
import { register } from 'tsconfig-paths';

// Jest's global set-up runs outside Jest's module system, so moduleNameMapper does not apply there:
// resolve the @app/* library aliases the way tsconfig.json declares them.
register({ baseUrl: join(__dirname, '..', '..'), paths: { '@app/*': ['libs/*/src'] } });
