import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from './configuration.error';
import { loadRulesFile, parseRules } from './rules-file';

const shipped = () => parse(readFileSync('config/rules.yaml', 'utf8'));
/** A tree of fewer than 5 skills, or fewer than 3 mastery levels, leaves the shipped skill badges unearnable: refused on their own. */
function withoutSkillBadges<T extends { badges: Array<{ when: { metric: string } }> }>(document: T): T {
  document.badges = document.badges.filter((badge) => !badge.when.metric.startsWith('skill'));
  return document;
}

function problemsOf(document: unknown): string[] {
  try {
    parseRules(document, 'rules.yaml');
  } catch (error) {
    if (error instanceof ConfigurationError) {
      return [...error.problems];
    }
    throw error;
  }
  return [];
}

describe('the rules file', () => {
  it('ships the contract defaults', () => {
    const rules = loadRulesFile('config/rules.yaml');
    expect(rules.xp).toEqual({
      base: 50,
      score: { step: 10, xpPerStep: 5 },
      duration: { stepSeconds: 600, xpPerStep: 10, maxSteps: 3 },
      minimumDurationSeconds: 60,
    });
    expect(rules.levels).toEqual({ xpFactor: 50, maxLevel: 100 });
    expect(rules.badges.map((badge) => `${badge.code}:${badge.name}`)).toEqual([
      'FIRST_STEPS:First Steps',
      'GETTING_SERIOUS:Getting Serious',
      'MARATHONER:Marathoner',
      'ON_FIRE:On Fire',
      'WEEK_WARRIOR:Week Warrior',
      'UNSTOPPABLE:Unstoppable',
      'HIGH_SCORER:High Scorer',
      'PERFECTIONIST:Perfectionist',
      'LEVEL_5:Rising Star',
      'LEVEL_10:Veteran',
      'SKILL_EXPLORER:Skill Explorer',
      'FIRST_MASTERY:First Mastery',
    ]);
    expect(rules.challenges.map((c) => [c.type, c.target, c.xpReward, c.minScore])).toEqual([
      ['COMPLETE_SESSIONS', 2, 100, undefined],
      ['SCORE_AT_LEAST', 1, 75, 80],
      ['PRACTICE_MINUTES', 1800, 50, undefined],
    ]);
  });

  it('ships streak freezes and the 20:00 reminder (contract section 8)', () => {
    const rules = loadRulesFile('config/rules.yaml');
    expect(rules.streakFreeze).toEqual({ earnEveryDays: 7, maxHeld: 2 });
    expect(rules.streakReminderLocalTime).toBe('20:00');
  });

  it('reads a file from before freezes with freezes off and the 20:00 reminder: its streaks as they were', () => {
    const document = shipped();
    delete document.streakFreeze;
    delete document.streakReminderLocalTime;
    const rules = parseRules(document, 'rules.yaml');
    expect(rules.streakFreeze.maxHeld).toBe(0);
    expect(rules.streakReminderLocalTime).toBe('20:00');
  });

  it('ships the week, month and all-time boards of contract section 9', () => {
    const rules = loadRulesFile('config/rules.yaml');
    expect(rules.leaderboards).toEqual([
      { code: 'WEEKLY_XP', name: 'This week', period: 'week' },
      { code: 'MONTHLY_XP', name: 'This month', period: 'month' },
      { code: 'ALL_TIME_XP', name: 'All time', period: 'all' },
    ]);
    expect([rules.leaderboardTimeZone, rules.leaderboardGraceHours]).toEqual(['UTC', 12]);
  });

  it('reads a file from before leaderboards with no boards', () => {
    const document = shipped();
    delete document.leaderboards;
    delete document.leaderboardTimeZone;
    delete document.leaderboardGraceHours;
    expect(parseRules(document, 'rules.yaml').leaderboards).toEqual([]);
  });

  it('refuses an unknown period or zone, a repeated board code and a grace outside 0..168 hours, naming each', () => {
    const document = shipped();
    document.leaderboards = [
      { code: 'WEEKLY_XP', name: 'A', period: 'week' },
      { code: 'WEEKLY_XP', name: 'B', period: 'week' },
    ];
    document.leaderboardTimeZone = 'Mars/Olympus';
    expect(problemsOf(document)).toEqual([
      'rules.yaml: leaderboards: code WEEKLY_XP appears more than once',
      'rules.yaml: leaderboardTimeZone: "Mars/Olympus" is not an IANA time zone (Europe/Paris, UTC, ...)',
    ]);
    const other = shipped();
    other.leaderboards = [{ code: 'DAILY_XP', name: 'Today', period: 'day' }];
    other.leaderboardGraceHours = 169;
    expect(problemsOf(other)).toEqual([
      expect.stringMatching(/^rules\.yaml: leaderboards\.0\.period: /),
      expect.stringMatching(/^rules\.yaml: leaderboardGraceHours: .*not be greater than 168/),
    ]);
  });

  it('ships the interview-practice skill tree and the mastery levels of contract section 10', () => {
    const rules = loadRulesFile('config/rules.yaml');
    expect(rules.skills.map(({ code, parent }) => `${parent ?? '-'}/${code}`)).toEqual([
      '-/algorithms',
      'algorithms/arrays',
      'algorithms/strings',
      'algorithms/graphs',
      'algorithms/dynamic-programming',
      '-/system-design',
      'system-design/scalability',
      'system-design/databases',
      'system-design/caching',
      '-/behavioural',
      'behavioural/leadership',
      'behavioural/conflict',
      '-/communication',
    ]);
    expect(rules.skillMastery).toEqual([
      { level: 1, name: 'Novice', xp: 0 },
      { level: 2, name: 'Apprentice', xp: 500 },
      { level: 3, name: 'Practitioner', xp: 2000 },
      { level: 4, name: 'Expert', xp: 5000 },
      { level: 5, name: 'Master', xp: 10000 },
    ]);
  });

  it('reads a file from before skills with no tree and the contract mastery levels', () => {
    const document = withoutSkillBadges(shipped());
    delete document.skills;
    delete document.skillMastery;
    const rules = parseRules(document, 'rules.yaml');
    expect(rules.skills).toEqual([]);
    expect(rules.skillMastery.map((mastery) => mastery.xp)).toEqual([0, 500, 2000, 5000, 10000]);
  });

  it('refuses a cycle in the skill tree, a repeated code, a parent that does not exist and a bad code, naming each', () => {
    const document = shipped();
    document.skills = [
      { code: 'a', name: 'A', parent: 'c' },
      { code: 'b', name: 'B', parent: 'a' },
      { code: 'c', name: 'C', parent: 'b' },
      { code: 'd', name: 'D', parent: 'a' },
      { code: 'd', name: 'D again' },
      { code: 'e', name: 'E', parent: 'nowhere' },
    ];
    expect(problemsOf(document)).toEqual([
      'rules.yaml: skills: code d appears more than once',
      'rules.yaml: skills: e: parent nowhere is not a skill of the tree',
      'rules.yaml: skills: a: its parents lead back to itself (a → c → b → a)',
    ]);
    const selfParent = withoutSkillBadges(shipped());
    selfParent.skills = [{ code: 'loop', name: 'Loop', parent: 'loop' }];
    expect(problemsOf(selfParent)).toEqual(['rules.yaml: skills: loop: its parents lead back to itself (loop → loop)']);
    const badCode = shipped();
    badCode.skills = [{ code: 'Dynamic Programming', name: 'DP' }];
    expect(problemsOf(badCode)).toEqual([expect.stringMatching(/^rules\.yaml: skills\.0\.code: code must be 1 to 64 characters of a-z, 0-9 and -/)]);
  });

  it('refuses mastery thresholds that do not increase, a first level that needs XP and levels out of order, naming each', () => {
    const document = shipped();
    document.skillMastery = [
      { level: 1, name: 'Novice', xp: 100 },
      { level: 2, name: 'Apprentice', xp: 500 },
      { level: 3, name: 'Practitioner', xp: 500 },
      { level: 5, name: 'Master', xp: 400 },
    ];
    expect(problemsOf(document)).toEqual([
      'rules.yaml: skillMastery: level 1 (Novice): xp must be 0 for the first level, so that every skill has a mastery',
      "rules.yaml: skillMastery: level 3 (Practitioner): xp 500 must be above level 2's (500)",
      'rules.yaml: skillMastery: level 5 (Master) is in place 4: levels must be 1, 2, 3, … in order',
      "rules.yaml: skillMastery: level 5 (Master): xp 400 must be above level 3's (500)",
    ]);
    const empty = withoutSkillBadges(shipped());
    empty.skillMastery = [];
    expect(problemsOf(empty)).toEqual(['rules.yaml: skillMastery: at least one mastery level is needed']);
  });

  it('refuses a reminder time that is not HH:MM and a negative or fractional freeze count, naming the field', () => {
    for (const time of ['24:00', '8:00', '20:60', 1200, '20:00:00', null]) {
      const document = shipped();
      document.streakReminderLocalTime = time;
      expect(problemsOf(document)).toEqual([expect.stringMatching(/^rules\.yaml: streakReminderLocalTime: .*HH:MM/)]);
    }
    const document = shipped();
    document.streakFreeze = { earnEveryDays: 0, maxHeld: -1 };
    expect(problemsOf(document)).toEqual([
      expect.stringMatching(/^rules\.yaml: streakFreeze\.earnEveryDays: .*not be less than 1/),
      expect.stringMatching(/^rules\.yaml: streakFreeze\.maxHeld: .*not be less than 0/),
    ]);
    document.streakFreeze = { earnEveryDays: 7, maxHeld: 1.5 };
    expect(problemsOf(document)).toEqual([expect.stringMatching(/^rules\.yaml: streakFreeze\.maxHeld: .*integer/)]);
    // `streakFreeze:` with nothing under it.
    document.streakFreeze = null;
    expect(problemsOf(document)).toEqual([expect.stringMatching(/^rules\.yaml: streakFreeze: streakFreeze must be a mapping/)]);
  });

  it('ships version 6 (the skill badges came after the skill tree, version 5) and requires a positive whole version', () => {
    expect(loadRulesFile('config/rules.yaml').version).toBe(6);
    for (const version of [undefined, 0, -1, 2.5, 'two']) {
      const document = shipped();
      document.version = version;
      expect(problemsOf(document)).toEqual([
        'rules.yaml: version: version must be a positive whole number (each change of the rules gets a higher one)',
      ]);
    }
  });

  it('refuses unknown fields, naming them, instead of silently using a default', () => {
    const document = shipped();
    document.xp.minimumDuration = 120;
    document.badges[2].when.atleast = 5;
    document.streaks = { freeze: true };
    expect(problemsOf(document)).toEqual([
      expect.stringMatching(/^rules\.yaml: streaks: property streaks should not exist/),
      expect.stringMatching(/^rules\.yaml: xp\.minimumDuration: property minimumDuration should not exist/),
      expect.stringMatching(/^rules\.yaml: badges\.2\.when\.atleast: property atleast should not exist/),
    ]);
  });

  it('names the path of a bad value', () => {
    const document = shipped();
    document.xp.base = -5;
    document.levels.xpFactor = 'fifty';
    expect(problemsOf(document)).toEqual([
      expect.stringMatching(/^rules\.yaml: xp\.base: .*not be less than 0/),
      expect.stringMatching(/^rules\.yaml: levels\.xpFactor: .*integer/),
    ]);
  });

  it('rejects an unknown badge metric and an unknown challenge type', () => {
    const document = shipped();
    document.badges[0].when.metric = 'karma';
    document.challenges[0].type = 'RUN_A_MARATHON';
    const problems = problemsOf(document);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/badges\.0\.when\.metric/);
    expect(problems[1]).toMatch(/challenges\.0\.type/);
  });

  it('requires minScore for a SCORE_AT_LEAST challenge', () => {
    const document = shipped();
    delete document.challenges[1].minScore;
    expect(problemsOf(document)).toEqual([expect.stringMatching(/challenges\.1\.minScore/)]);
  });

  it('rejects duplicate badge codes and challenge types', () => {
    const document = shipped();
    document.badges.push({ ...document.badges[0] });
    document.challenges.push({ ...document.challenges[0] });
    expect(problemsOf(document)).toEqual([
      'rules.yaml: badges: code FIRST_STEPS appears more than once',
      'rules.yaml: challenges: type COMPLETE_SESSIONS appears more than once',
    ]);
  });

  it('rejects a badge that nobody could earn: a level above the curve or a score above 100', () => {
    const document = shipped();
    document.levels.maxLevel = 8;
    document.badges.find((badge: { code: string }) => badge.code === 'PERFECTIONIST').when.atLeast = 101;
    expect(problemsOf(document)).toEqual([
      'rules.yaml: badges: PERFECTIONIST: when.atLeast 101 is above the highest score (100), so nobody could earn it',
      'rules.yaml: badges: LEVEL_10: when.atLeast 10 is above levels.maxLevel (8), so nobody could earn it',
    ]);
  });

  it('rejects a skill badge that nobody could earn: more skills than the tree has, or a mastery level above the highest', () => {
    const document = shipped();
    document.skills = document.skills.slice(0, 4);
    document.skillMastery = document.skillMastery.slice(0, 2);
    expect(problemsOf(document)).toEqual([
      'rules.yaml: badges: SKILL_EXPLORER: when.atLeast 5 is above the number of skills (4), so nobody could earn it',
      'rules.yaml: badges: FIRST_MASTERY: when.atLeast 3 is above the highest skillMastery level (2), so nobody could earn it',
    ]);
  });

  it('rejects a document that is not a mapping, and a missing file', () => {
    expect(problemsOf(['xp'])).toEqual([expect.stringMatching(/must be a mapping/)]);
    expect(() => loadRulesFile('config/no-such-rules.yaml')).toThrow(/RULES_FILE: cannot read config\/no-such-rules\.yaml/);
  });
});
