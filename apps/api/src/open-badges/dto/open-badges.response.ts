import { ApiProperty } from '@nestjs/swagger';

/** An Open Badges 3.0 JSON-LD document, described by the standard rather than here. */
const OPEN_BADGES_DOCUMENT = { type: 'object', additionalProperties: true } as const;

export class BadgeCredentialResponse {
  @ApiProperty({ ...OPEN_BADGES_DOCUMENT, description: 'The OpenBadgeCredential (Open Badges 3.0), as signed' })
  credential!: Record<string, unknown>;

  @ApiProperty({ description: 'The same credential as a VC-JWT (RS256; its header’s kid is the URL of its key, also in /.well-known/jwks.json)' })
  jwt!: string;
}

export class OpenBadgesDocumentResponse {
  @ApiProperty({ type: [String], example: ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'] })
  '@context'!: string[];

  @ApiProperty({ example: 'https://gamification.example.com/ob/issuer' })
  id!: string;

  @ApiProperty({ type: [String], example: ['Profile'] })
  type!: string[];

  @ApiProperty()
  name!: string;
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
