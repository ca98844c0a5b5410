/** Read a user's profile; today's challenges are created on this first need. */
export class GetProfileQuery {
  constructor(readonly userId: string) {}
}
