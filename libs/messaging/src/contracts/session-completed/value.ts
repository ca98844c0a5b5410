import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { isValidTimeZone } from '@app/domain';

// Postgres text cannot hold U+0000: such an id could never be stored.
// eslint-disable-next-line no-control-regex -- matching the control character is the point
const NO_NUL = /^[^\u0000]*$/;

const SKILL_CODE = /^[a-z0-9-]{1,64}$/;
const SKILLS_RULE = 'skills must be an array of at most 10 skill codes, each 1..64 characters of [a-z0-9-]';

/** Its groups are the fields: year, month, day, hour, minute, second, and the offset's hours and minutes (none for Z). */
export const RFC3339_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

@ValidatorConstraint({ name: 'ianaTimeZone' })
class IanaTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && value.length <= 64 && isValidTimeZone(value);
  }

  defaultMessage(): string {
    return 'timezone must be an IANA time zone name, such as Europe/Berlin';
  }
}

/** SessionCompleted v1, as producers send it (CONTRACT.md section 2). Unknown fields are ignored. */
export class SessionCompletedV1 {
  @IsString() @Length(1, 128) @Matches(NO_NUL, { message: 'eventId must not contain NUL characters' })
  eventId!: string;

  @IsString()
  @Matches(/^[A-Za-z0-9._:@-]{1,128}$/, { message: 'userId must be 1..128 characters of [A-Za-z0-9._:@-]' })
  userId!: string;

  @IsString() @Length(1, 128) @Matches(NO_NUL, { message: 'sessionId must not contain NUL characters' })
  sessionId!: string;

  @IsString()
  @Matches(RFC3339_WITH_OFFSET, { message: 'completedAt must be an RFC 3339 timestamp with an offset' })
  completedAt!: string;

  @IsInt() @Min(0) @Max(86_400)
  durationSeconds!: number;

  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(100)
  score?: number | null;

  @IsOptional() @IsString() @Validate(IanaTimeZone)
  timezone?: string | null;

  // Contract section 7. A code the skill tree does not know is not an error (the session counts as usual).
  @IsOptional()
  @IsArray({ message: SKILLS_RULE })
  @ArrayMaxSize(10, { message: SKILLS_RULE })
  @Matches(SKILL_CODE, { each: true, message: SKILLS_RULE })
  skills?: string[] | null;
}
