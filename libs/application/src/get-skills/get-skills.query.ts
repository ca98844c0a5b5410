/** The caller's progress in every skill of the tree (contract section 10). */
export class GetSkillsQuery {
  constructor(readonly userId: string) {}
}
