import { ApiProperty } from '@nestjs/swagger';

export class LivenessResponse {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}

/**
 * Only a ready api answers 200; one with the database or Redis down, or with an identity provider
 * configured whose keys it has never been able to fetch, answers 503 NOT_READY. The live
 * streams' state is reported but does not make the api unready: with Kafka away it still serves
 * every other route, and its streams resume when Kafka is back.
 */
export class ReadinessResponse {
  @ApiProperty({ enum: ['ready'] }) status!: 'ready';
  @ApiProperty({ enum: ['up'] }) database!: 'up';
  @ApiProperty({ enum: ['up'] }) redis!: 'up';
  @ApiProperty({ enum: ['up', 'down'], description: 'up once the award and streak topics are tailed for the live streams' })
  stream!: 'up' | 'down';
  @ApiProperty({
    enum: ['up', 'down'],
    required: false,
    description:
      'With an identity provider configured (JWT_JWKS_URL or JWT_OIDC_DISCOVERY): up when its keys were last fetched, down when it did not answer the last try and the keys fetched before are in use',
  })
  identityProvider?: 'up' | 'down';
}
