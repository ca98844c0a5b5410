import { ApiProperty } from '@nestjs/swagger';

/** The body of every error response, as the OpenAPI document shows it. */
export class ErrorResponse {
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiProperty({ example: 'CHALLENGE_NOT_FOUND' }) code!: string;
  @ApiProperty({ example: 'No such challenge.' }) message!: string;
}
