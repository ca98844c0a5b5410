import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { parse } from 'yaml';
import {
  BADGE_METRICS,
  CHALLENGE_TYPES,
  DEFAULT_STREAK_REMINDER_LOCAL_TIME,
  FREEZES_OFF,
  isValidTimeZone,
  LEADERBOARD_PERIOD_KINDS,
  LEADERBOARDS_OFF,
  skillRulesProblems,
  SKILLS_OFF,
  type BadgeMetric,
  type LeaderboardPeriodKind,
  type ChallengeType,
  type GamificationRules,
} from '@app/domain';
import { ConfigurationError } from './configuration.error';
import { validationProblems } from './validation-problems';

class ScoreXpRule {
  @IsInt() @Min(1) step!: number;
  @IsInt() @Min(0) xpPerStep!: number;
}

class DurationXpRule {
  @IsInt() @Min(1) stepSeconds!: number;
  @IsInt() @Min(0) xpPerStep!: number;
  @IsInt() @Min(0) maxSteps!: number;
}

class XpRulesFile {
  @IsInt() @Min(0) base!: number;
  @ValidateNested() @Type(() => ScoreXpRule) score!: ScoreXpRule;
  @ValidateNested() @Type(() => DurationXpRule) duration!: DurationXpRule;
  @IsInt() @Min(0) @Max(86_400) minimumDurationSeconds!: number;
}

class LevelRulesFile {
  @IsInt() @Min(1) xpFactor!: number;
  @IsInt() @Min(1) @Max(10_000) maxLevel!: number;
}

class BadgeCondition {
  @IsIn(BADGE_METRICS) metric!: BadgeMetric;
  @IsInt() @Min(0) atLeast!: number;
}

class BadgeRuleFile {
  @Matches(/^[A-Z][A-Z0-9_]{0,63}$/, { message: 'code must be UPPER_SNAKE_CASE, at most 64 characters' })
  code!: string;
  @IsString() @IsNotEmpty() name!: string;
  @IsString() @IsNotEmpty() description!: string;
  @ValidateNested() @Type(() => BadgeCondition) when!: BadgeCondition;
}

class ChallengeTemplateFile {
  @IsIn(CHALLENGE_TYPES) type!: ChallengeType;
  @IsString() @IsNotEmpty() description!: string;
  @IsInt() @Min(1) target!: number;
  @IsInt() @Min(0) xpReward!: number;
  @ValidateIf((template: ChallengeTemplateFile) => template.type === 'SCORE_AT_LEAST' || template.minScore !== undefined)
  @IsInt()
  @Min(0)
  @Max(100)
  minScore?: number;
}

class StreakFreezeFile {
  @IsInt() @Min(1) earnEveryDays!: number;
  @IsInt() @Min(0) @Max(365) maxHeld!: number;
}

class LeaderboardFile {
  @Matches(/^[A-Z][A-Z0-9_]{0,63}$/, { message: 'code must be UPPER_SNAKE_CASE, at most 64 characters' })
  code!: string;
  @IsString() @IsNotEmpty() name!: string;
  @IsIn(LEADERBOARD_PERIOD_KINDS) period!: LeaderboardPeriodKind;
}

class SkillFile {
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'code must be 1 to 64 characters of a-z, 0-9 and - (as the skills of session.completed)' })
  code!: string;
  @IsString() @IsNotEmpty() name!: string;
  @IsOptional() @Matches(/^[a-z0-9-]{1,64}$/, { message: 'parent must be the code of another skill' }) parent?: string;
}

class SkillMasteryFile {
  @IsInt() @Min(1) level!: number;
  @IsString() @IsNotEmpty() name!: string;
  @IsInt() @Min(0) xp!: number;
}

class RulesFile {
  @IsInt({ message: 'version must be a positive whole number (each change of the rules gets a higher one)' })
  @Min(1, { message: 'version must be a positive whole number (each change of the rules gets a higher one)' })
  version!: number;
  @ValidateNested() @Type(() => XpRulesFile) xp!: XpRulesFile;
  @ValidateNested() @Type(() => LevelRulesFile) levels!: LevelRulesFile;
  @IsArray() @ValidateNested({ each: true }) @Type(() => BadgeRuleFile) badges!: BadgeRuleFile[];
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => ChallengeTemplateFile)
  challenges!: ChallengeTemplateFile[];
  // Absent in files from before freezes: off, as they were. Present but empty (a bare `streakFreeze:`)
  // is a mistake, named like any other, so only an absent key is optional.
  @ValidateIf((_rules: RulesFile, value: unknown) => value !== undefined)
  @IsObject({ message: 'streakFreeze must be a mapping with earnEveryDays and maxHeld' })
  @ValidateNested()
  @Type(() => StreakFreezeFile)
  streakFreeze?: StreakFreezeFile;
  @ValidateIf((_rules: RulesFile, value: unknown) => value !== undefined)
  @IsString({ message: 'streakReminderLocalTime must be a local time written HH:MM, in quotes (00:00 to 23:59)' })
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'streakReminderLocalTime must be a local time written HH:MM, in quotes (00:00 to 23:59)' })
  streakReminderLocalTime?: string;
  // Absent in files from before leaderboards: none, as there were.
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => LeaderboardFile) leaderboards?: LeaderboardFile[];
  @IsOptional() @IsString() leaderboardTimeZone?: string;
  @IsOptional() @IsInt() @Min(0) @Max(168) leaderboardGraceHours?: number;
  // Absent in files from before skills: no tree, and the contract's mastery levels.
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => SkillFile) skills?: SkillFile[];
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => SkillMasteryFile) skillMastery?: SkillMasteryFile[];
  @IsOptional() @IsString() description?: string;
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}

/** Validates the parsed rules document; every problem is reported, each naming its path. */
export function parseRules(document: unknown, source: string): GamificationRules {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ConfigurationError([`${source}: the rules file must be a mapping with version, xp, levels, badges and challenges`]);
  }
  const rules = plainToInstance(RulesFile, document);
  // A misspelt key would otherwise be dropped without a word and its default used instead.
  const problems = validationProblems(validateSync(rules, { forbidUnknownValues: true, whitelist: true, forbidNonWhitelisted: true })).map(
    (problem) => `${source}: ${problem}`,
  );
  if (problems.length === 0) {
    for (const code of duplicates(rules.badges.map((badge) => badge.code))) {
      problems.push(`${source}: badges: code ${code} appears more than once`);
    }
    for (const type of duplicates(rules.challenges.map((template) => template.type))) {
      problems.push(`${source}: challenges: type ${type} appears more than once`);
    }
    for (const code of duplicates((rules.leaderboards ?? []).map((board) => board.code))) {
      problems.push(`${source}: leaderboards: code ${code} appears more than once`);
    }
    if (rules.leaderboardTimeZone !== undefined && !isValidTimeZone(rules.leaderboardTimeZone)) {
      problems.push(`${source}: leaderboardTimeZone: "${rules.leaderboardTimeZone}" is not an IANA time zone (Europe/Paris, UTC, ...)`);
    }
    const skills = (rules.skills ?? []).map(({ code, name, parent }) => ({ code, name, parent: parent ?? null }));
    const skillMastery = rules.skillMastery?.map(({ level, name, xp }) => ({ level, name, xp })) ?? SKILLS_OFF.skillMastery;
    problems.push(...skillRulesProblems(skills, skillMastery).map((problem) => `${source}: ${problem}`));
    // A badge that nobody can earn is a mistake in the file, not a rule: say so before it is in force.
    const ceilings: Partial<Record<BadgeMetric, { readonly value: number; readonly field: string }>> = {
      level: { value: rules.levels.maxLevel, field: 'levels.maxLevel' },
      score: { value: 100, field: 'the highest score' },
      skillsPractised: { value: skills.length, field: 'the number of skills' },
      skillMastery: { value: skillMastery.length, field: 'the highest skillMastery level' },
    };
    for (const { code, when } of rules.badges) {
      const ceiling = ceilings[when.metric];
      if (ceiling !== undefined && when.atLeast > ceiling.value) {
        problems.push(`${source}: badges: ${code}: when.atLeast ${when.atLeast} is above ${ceiling.field} (${ceiling.value}), so nobody could earn it`);
      }
    }
  }
  if (problems.length > 0) {
    throw new ConfigurationError(problems);
  }
  return {
    version: rules.version,
    xp: rules.xp,
    levels: rules.levels,
    badges: rules.badges.map(({ code, name, description, when }) => ({
      code,
      name,
      description,
      when: { metric: when.metric, atLeast: when.atLeast },
    })),
    challenges: rules.challenges.map(({ type, description, target, xpReward, minScore }) => ({
      type,
      description,
      target,
      xpReward,
      ...(minScore === undefined ? {} : { minScore }),
    })),
    streakFreeze: rules.streakFreeze === undefined ? FREEZES_OFF : { earnEveryDays: rules.streakFreeze.earnEveryDays, maxHeld: rules.streakFreeze.maxHeld },
    streakReminderLocalTime: rules.streakReminderLocalTime ?? DEFAULT_STREAK_REMINDER_LOCAL_TIME,
    leaderboards: (rules.leaderboards ?? LEADERBOARDS_OFF.leaderboards).map(({ code, name, period }) => ({ code, name, period })),
    leaderboardTimeZone: rules.leaderboardTimeZone ?? LEADERBOARDS_OFF.leaderboardTimeZone,
    leaderboardGraceHours: rules.leaderboardGraceHours ?? LEADERBOARDS_OFF.leaderboardGraceHours,
    skills: (rules.skills ?? SKILLS_OFF.skills).map(({ code, name, parent }) => ({ code, name, parent: parent ?? null })),
    skillMastery: (rules.skillMastery ?? SKILLS_OFF.skillMastery).map(({ level, name, xp }) => ({ level, name, xp })),
  };
}

export function loadRulesFile(path: string): GamificationRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError([`RULES_FILE: cannot read ${path} (${(error as Error).message})`]);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new ConfigurationError([`${path}: not valid YAML (${(error as Error).message})`]);
  }
  return parseRules(document, path);
}
