import { CreateGamificationSchema1764090000000 } from './1764090000000-CreateGamificationSchema';
import { IndexSentOutboxMessages1795697547248 } from './1795697547248-IndexSentOutboxMessages';
import { KeepSessionFacts1795702000000 } from './1795702000000-KeepSessionFacts';
import { KeepRulesVersions1795710000000 } from './1795710000000-KeepRulesVersions';
import { KeepStreakFreezes1795720000000 } from './1795720000000-KeepStreakFreezes';
import { KeepLeaderboards1795730000000 } from './1795730000000-KeepLeaderboards';
import { LightenLeaderboardWrites1795740000000 } from './1795740000000-LightenLeaderboardWrites';
import { KeepAllTimeStandingsOnProfiles1795750000000 } from './1795750000000-KeepAllTimeStandingsOnProfiles';
import { KeepSkillXpOnProfiles1795760000000 } from './1795760000000-KeepSkillXpOnProfiles';

/** Every migration, in order. Listed explicitly so that built apps need no file globbing. */
export const migrations = [
  CreateGamificationSchema1764090000000,
  IndexSentOutboxMessages1795697547248,
  KeepSessionFacts1795702000000,
  KeepRulesVersions1795710000000,
  KeepStreakFreezes1795720000000,
  KeepLeaderboards1795730000000,
  LightenLeaderboardWrites1795740000000,
  KeepAllTimeStandingsOnProfiles1795750000000,
  KeepSkillXpOnProfiles1795760000000,
];
