/** Re-evaluate a user's streak and badges from what is recorded (never adds XP). */
export class SyncProgressCommand {
  constructor(readonly userId: string) {}
}
