import { ApiProperty } from '@nestjs/swagger';

const OPEN_BADGES_CONTEXT_EXAMPLE = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'];

export class BadgeCredentialResponse {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The OpenBadgeCredential (Open Badges 3.0), as signed' })
  credential!: Record<string, unknown>;

  @ApiProperty({ description: 'The same credential as a VC-JWT (RS256; its header’s kid is the URL of its key, also in /.well-known/jwks.json)' })
  jwt!: string;
}

/** The issuer, as embedded in credentials and achievements. */
export class IssuerProfileResponse {
  @ApiProperty({ example: 'https://gamification.example.com/ob/issuer' }) id!: string;
  @ApiProperty({ type: [String], example: ['Profile'] }) type!: string[];
  @ApiProperty({ example: 'Gamification Engine' }) name!: string;
  @ApiProperty({ example: 'https://gamification.example.com' }) url!: string;
}

/** GET /ob/issuer: the issuer as a JSON-LD document of its own. */
export class IssuerProfileDocumentResponse extends IssuerProfileResponse {
  @ApiProperty({ type: [String], example: OPEN_BADGES_CONTEXT_EXAMPLE }) '@context'!: string[];
}

export class CriteriaResponse {
  @ApiProperty({ example: 'Practise 7 days in a row' }) narrative!: string;
}

export class AchievementResponse {
  @ApiProperty({ type: [String], example: OPEN_BADGES_CONTEXT_EXAMPLE }) '@context'!: string[];
  @ApiProperty({ example: 'https://gamification.example.com/ob/achievements/WEEK_WARRIOR/versions/6', description: 'The badge as one rules version defines it' })
  id!: string;
  @ApiProperty({ type: [String], example: ['Achievement'] }) type!: string[];
  @ApiProperty({ example: 'Badge' }) achievementType!: string;
  @ApiProperty({ example: '6', description: 'The rules version that defines it' }) version!: string;
  @ApiProperty({ example: 'Week Warrior' }) name!: string;
  @ApiProperty({ example: 'Practice 7 days in a row' }) description!: string;
  @ApiProperty({ type: CriteriaResponse }) criteria!: CriteriaResponse;
  @ApiProperty({ type: IssuerProfileResponse }) creator!: IssuerProfileResponse;
}

export class JsonWebKeyResponse {
  @ApiProperty({ example: 'RSA' }) kty!: string;
  @ApiProperty() n!: string;
  @ApiProperty({ example: 'AQAB' }) e!: string;
  @ApiProperty({ description: 'The key’s URL, /ob/keys/<RFC 7638 thumbprint>: the kid of the credentials it signs' }) kid!: string;
  @ApiProperty({ example: 'RS256' }) alg!: string;
  @ApiProperty({ example: 'sig' }) use!: string;
}

export class JsonWebKeySetResponse {
  @ApiProperty({ type: [JsonWebKeyResponse] })
  keys!: JsonWebKeyResponse[];
}
