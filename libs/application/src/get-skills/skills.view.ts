import type { SkillProgress } from '@app/domain';

/** `GET /gamification/skills` as the contract gives it: dates as ISO strings. */
export interface SkillsView {
  readonly skills: ReadonlyArray<Omit<SkillProgress, 'lastPracticedAt'> & { readonly lastPracticedAt: string | null }>;
}

export function skillsView(progress: readonly SkillProgress[]): SkillsView {
  return {
    skills: progress.map(({ code, name, parent, xp, sessions, averageScore, mastery, lastPracticedAt }) => ({
      code,
      name,
      parent,
      xp,
      sessions,
      averageScore,
      mastery,
      lastPracticedAt: lastPracticedAt?.toISOString() ?? null,
    })),
  };
}
