import { CreateGamificationSchema1764090000000 } from './1764090000000-CreateGamificationSchema';

/** Every migration, in order. Listed explicitly so that built apps need no file globbing. */
export const migrations = [CreateGamificationSchema1764090000000];
