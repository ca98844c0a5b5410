import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';

/**
 * npm run -s ob:key — prints a new RSA private key (PEM, 3072 bits) for OB_SIGNING_KEY.
 * npm run -s ob:key -- --out <file> — writes it to <file> unless the file exists (a key already in
 * use is never replaced: every credential it signed would stop verifying).
 */
function main(): void {
  const [flag, file, ...rest] = process.argv.slice(2);
  if ((flag !== undefined && (flag !== '--out' || file === undefined)) || rest.length > 0) {
    throw new Error('usage: npm run -s ob:key [-- --out <file>]');
  }
  if (file !== undefined && existsSync(file)) {
    console.error(`${file} exists: kept`);
    return;
  }
  const pem = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  if (file === undefined) {
    process.stdout.write(pem);
    return;
  }
  writeFileSync(file, pem, { flag: 'wx', mode: 0o600 });
  console.error(`wrote a new signing key to ${file}`);
}

try {
  main();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
