import jwt from 'jsonwebtoken';

/**
 * npm run -s token -- <userId> [scope] — prints a development HS256 token for the api, signed with
 * JWT_SECRET, valid for 12 hours. A scope of "gamification:sync" makes it an internal service token.
 */
function main(): void {
  const [userId, scope] = process.argv.slice(2);
  const secret = process.env.JWT_SECRET;
  if (userId === undefined || !/^[A-Za-z0-9._:@-]{1,128}$/.test(userId)) {
    throw new Error('usage: npm run -s token -- <userId> [scope]   (userId: 1..128 of [A-Za-z0-9._:@-])');
  }
  if (secret === undefined || secret.length < 32) {
    throw new Error('JWT_SECRET must be set to the api’s secret (32 characters or more)');
  }
  const claims = scope === undefined ? { sub: userId } : { sub: userId, scope };
  process.stdout.write(`${jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn: '12h' })}\n`);
}

try {
  main();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
