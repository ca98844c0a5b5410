import { gamificationApi } from '../api';
import { plural } from '../dates';
import { useLoad } from '../load';
import type { Skill } from '../types';
import { LoadState } from './LoadState';

interface Props {
  token: string;
  /** Changes when the dashboard reloads (Refresh, a claim): the skills are read again. */
  refreshKey?: number;
}

interface SkillNode {
  skill: Skill;
  children: SkillNode[];
}

/** The tree of the skills: each node under its parent, in the order the api lists them; a node whose parent is unknown at the top. */
function skillTree(skills: Skill[]): SkillNode[] {
  const nodes = new Map(skills.map((skill): [string, SkillNode] => [skill.code, { skill, children: [] }]));
  const roots: SkillNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.skill.parent === null ? undefined : nodes.get(node.skill.parent);
    (parent === undefined || parent === node ? roots : parent.children).push(node);
  }
  return roots;
}

/** The progress bar's figures and words for a skill's mastery: XP into it out of XP to the next, or full at the top. */
function masteryProgress({ name, mastery }: Skill) {
  const { xpIntoMastery, xpForNextMastery } = mastery;
  if (xpForNextMastery <= 0 || mastery.nextName === null) {
    const max = Math.max(xpIntoMastery, 1);
    return { max, now: max, percent: 100, caption: 'Top mastery reached', text: `${name}: ${mastery.name}, the top mastery` };
  }
  const next = mastery.nextName;
  const now = Math.min(xpIntoMastery, xpForNextMastery);
  return {
    max: xpForNextMastery,
    now,
    percent: Math.round((now / xpForNextMastery) * 100),
    caption: `${(xpForNextMastery - now).toLocaleString()} XP to ${next}`,
    text: `${name}: ${mastery.name}, ${now.toLocaleString()} of ${xpForNextMastery.toLocaleString()} XP to ${next}`,
  };
}

function practiceText({ sessions, averageScore }: Skill): string {
  if (sessions === 0) {
    return 'Not practised yet';
  }
  const parts = [plural(sessions, 'session')];
  if (averageScore !== null) {
    parts.push(`average score ${Math.round(averageScore)}`);
  }
  return parts.join(' · ');
}

function SkillItem({ node }: { node: SkillNode }) {
  const { skill, children } = node;
  const progress = masteryProgress(skill);
  const practised = skill.sessions > 0;
  return (
    <li className={`skill ${practised ? 'is-practised' : 'is-unpractised'}`} data-skill={skill.code}>
      <div className="skill-head">
        <span className="skill-name">{skill.name}</span>
        <span className="skill-mastery">{skill.mastery.name}</span>
        <span className="skill-xp">{skill.xp.toLocaleString()} XP</span>
      </div>
      <div
        className="bar small"
        role="progressbar"
        aria-label={`${skill.name} mastery`}
        aria-valuemin={0}
        aria-valuemax={progress.max}
        aria-valuenow={progress.now}
        aria-valuetext={progress.text}
      >
        <div className="fill" style={{ width: `${progress.percent}%` }} />
      </div>
      <p className="caption skill-caption">
        <span className="skill-next">{progress.caption}</span>
        <span className="visually-hidden">; </span>
        <span className="skill-practice">{practiceText(skill)}</span>
      </p>
      {children.length > 0 && (
        <ul className="skill-children" aria-label={`${skill.name}: its skills`}>
          {children.map((child) => (
            <SkillItem key={child.skill.code} node={child} />
          ))}
        </ul>
      )}
    </li>
  );
}

function SkillTree({ skills }: { skills: Skill[] }) {
  const practised = skills.filter((skill) => skill.sessions > 0).length;
  return (
    <>
      <p className="caption skills-summary">
        {practised} of {plural(skills.length, 'skill')} practised
      </p>
      <ul className="skill-tree" aria-label="Skill tree">
        {skillTree(skills).map((node) => (
          <SkillItem key={node.skill.code} node={node} />
        ))}
      </ul>
    </>
  );
}

/**
 * The skill tree: each skill under its parent with its mastery, a bar of the XP towards the next
 * mastery and what is left to reach it; the skills not practised yet muted.
 */
export function SkillTreeWidget({ token, refreshKey = 0 }: Props) {
  const skills = useLoad(gamificationApi.skills, token, refreshKey);
  return (
    <section className="card skills" aria-labelledby="skills-heading" data-testid="skills-widget">
      <h2 id="skills-heading">Skills</h2>
      <LoadState loadable={skills}>
        {(value) => (value.length === 0 ? <p className="caption">No skills on this server yet.</p> : <SkillTree skills={value} />)}
      </LoadState>
    </section>
  );
}
