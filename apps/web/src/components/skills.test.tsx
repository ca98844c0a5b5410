import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import type { Skill } from '../types';
import { skill, skills } from './practice.fixtures';
import { SkillTreeWidget } from './SkillTreeWidget';

// Only the network is stood in for: GET /gamification/skills answers `reply`, and every request is recorded.
type Answer = { status: number; body: unknown };

const TOKEN = 'a-token';
let reply: Answer;
let requests: { url: URL; authorization: string | null }[] = [];

beforeEach(() => {
  requests = [];
  reply = { status: 200, body: { skills } };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init: RequestInit) => {
      const url = new URL(input, 'http://locker-room.test');
      requests.push({ url, authorization: new Headers(init.headers).get('Authorization') });
      const answer = url.pathname === '/gamification/skills' ? reply : { status: 404, body: { code: 'NOT_FOUND', message: 'No such route.' } };
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'Content-Type': 'application/json' } });
    }),
  );
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const n = (value: number) => value.toLocaleString();
/** The names of the skills of a list, in the order shown (not those of the lists nested in it). */
const namesIn = (list: HTMLElement) => Array.from(list.children, (item) => item.querySelector('.skill-name')?.textContent);
const itemOf = (name: string) => screen.getByText(name, { selector: '.skill-name' }).closest('li')!;
const bar = (name: string) => {
  const progress = screen.getByRole('progressbar', { name: `${name} mastery` });
  return {
    now: progress.getAttribute('aria-valuenow'),
    min: progress.getAttribute('aria-valuemin'),
    max: progress.getAttribute('aria-valuemax'),
    text: progress.getAttribute('aria-valuetext'),
    fill: (progress.firstElementChild as HTMLElement).style.width,
  };
};

describe('SkillTreeWidget', () => {
  it('says it is loading, then shows the top of the tree in the order the api lists it, with the token', async () => {
    render(<SkillTreeWidget token={TOKEN} />);
    expect(screen.getByRole('heading', { name: 'Skills' })).toBeTruthy();
    expect(screen.getByText('Loading…')).toBeTruthy();

    const tree = await screen.findByRole('list', { name: 'Skill tree' });
    expect(namesIn(tree)).toEqual(['Algorithms', 'System design', 'Behavioural', 'Communication']);
    expect(screen.queryByText('Loading…')).toBeNull();
    expect(requests.map(({ url, authorization }) => [url.pathname, authorization])).toEqual([['/gamification/skills', `Bearer ${TOKEN}`]]);
  });

  it('lists each parent’s skills under it, in the api’s order, and a leaf without a list', async () => {
    render(<SkillTreeWidget token={TOKEN} />);

    const algorithms = await screen.findByRole('list', { name: 'Algorithms: its skills' });
    expect(namesIn(algorithms)).toEqual(['Arrays', 'Strings', 'Graphs', 'Dynamic programming']);
    expect(namesIn(screen.getByRole('list', { name: 'System design: its skills' }))).toEqual(['Scalability', 'Databases', 'Caching']);
    expect(namesIn(screen.getByRole('list', { name: 'Behavioural: its skills' }))).toEqual(['Leadership', 'Conflict']);
    expect(within(itemOf('Communication')).queryByRole('list')).toBeNull();
    // Thirteen nodes, each with its own bar.
    expect(screen.getAllByRole('progressbar')).toHaveLength(13);
  });

  it('puts a skill under its parent even when the api lists the child first', async () => {
    reply = { status: 200, body: { skills: [skills[1], skills[0], skills[12]] } };
    render(<SkillTreeWidget token={TOKEN} />);

    const tree = await screen.findByRole('list', { name: 'Skill tree' });
    expect(namesIn(tree)).toEqual(['Algorithms', 'Communication']);
    expect(namesIn(screen.getByRole('list', { name: 'Algorithms: its skills' }))).toEqual(['Arrays']);
  });

  it('shows each skill’s mastery as a bar of the XP into it out of the XP to the next, and the XP left to reach it', async () => {
    render(<SkillTreeWidget token={TOKEN} />);
    await screen.findByRole('list', { name: 'Skill tree' });

    // Arrays: 1,680 XP, Apprentice from 500, Practitioner at 2,000.
    expect(bar('Arrays')).toEqual({ now: '1180', min: '0', max: '1500', text: `Arrays: Apprentice, ${n(1180)} of ${n(1500)} XP to Practitioner`, fill: '79%' });
    const arrays = itemOf('Arrays');
    expect(within(arrays).getByText('320 XP to Practitioner')).toBeTruthy();
    expect(within(arrays).getByText('Apprentice')).toBeTruthy();
    expect(within(arrays).getByText(`${n(1680)} XP`)).toBeTruthy();
    expect(within(arrays).getByText('16 sessions · average score 81')).toBeTruthy();

    // Algorithms, the parent: 3,240 XP, Practitioner from 2,000, Expert at 5,000.
    expect(bar('Algorithms')).toMatchObject({ now: '1240', max: '3000', text: `Algorithms: Practitioner, ${n(1240)} of ${n(3000)} XP to Expert` });
    expect(within(itemOf('Algorithms')).getAllByText(`${n(1760)} XP to Expert`)).toHaveLength(1);
  });

  it('mutes the skills not practised yet and counts the practised ones', async () => {
    render(<SkillTreeWidget token={TOKEN} />);
    await screen.findByRole('list', { name: 'Skill tree' });

    expect(screen.getByText('7 of 13 skills practised')).toBeTruthy();
    const caching = itemOf('Caching');
    expect(caching.className).toBe('skill is-unpractised');
    expect(within(caching).getByText('Not practised yet')).toBeTruthy();
    expect(within(caching).getByText('500 XP to Apprentice')).toBeTruthy();
    expect(bar('Caching')).toMatchObject({ now: '0', max: '500', fill: '0%' });
    expect(itemOf('Databases').className).toBe('skill is-practised');
    expect(Array.from(document.querySelectorAll('.skill.is-unpractised'), (item) => item.getAttribute('data-skill'))).toEqual([
      'dynamic-programming',
      'caching',
      'behavioural',
      'leadership',
      'conflict',
      'communication',
    ]);
  });

  it.each([
    ['null', null],
    ['0', 0],
  ])('shows a full bar and no next mastery at the top mastery (xpForNextMastery %s)', async (_, xpForNextMastery) => {
    const master: Skill = skill('arrays', 'Arrays', null, 12_400, 140, 88, '2026-11-25T18:30:00.000Z');
    reply = { status: 200, body: { skills: [{ ...master, mastery: { ...master.mastery, xpForNextMastery } }] } };
    render(<SkillTreeWidget token={TOKEN} />);
    await screen.findByRole('list', { name: 'Skill tree' });

    expect(bar('Arrays')).toEqual({ now: '2400', min: '0', max: '2400', text: 'Arrays: Master, the top mastery', fill: '100%' });
    expect(screen.getByText('Top mastery reached')).toBeTruthy();
    expect(screen.queryByText(/XP to/)).toBeNull();
  });

  it('names the next mastery as the api names it, whatever the rules call the levels', async () => {
    const renamed = (base: Skill, nextName: string): Skill => ({ ...base, mastery: { ...base.mastery, nextName } });
    reply = { status: 200, body: { skills: [renamed(skills[0], 'Craftsman'), renamed(skills[12], 'Journeyman')] } };
    render(<SkillTreeWidget token={TOKEN} />);
    await screen.findByRole('list', { name: 'Skill tree' });

    expect(within(itemOf('Communication')).getByText(/XP to Journeyman$/)).toBeTruthy();
    expect(within(itemOf('Algorithms')).getByText(/XP to Craftsman$/)).toBeTruthy();
  });

  it('says so when the rules have no skill tree', async () => {
    reply = { status: 200, body: { skills: [] } };
    render(<SkillTreeWidget token={TOKEN} />);

    expect(await screen.findByText('No skills on this server yet.')).toBeTruthy();
    expect(screen.queryByRole('list')).toBeNull();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('reports an error of the api in words', async () => {
    reply = { status: 503, body: { statusCode: 503, code: 'UNAVAILABLE', message: 'Skills are unavailable right now.' } };
    render(<SkillTreeWidget token={TOKEN} />);

    expect((await screen.findByRole('alert')).textContent).toBe('Skills are unavailable right now.');
    expect(screen.queryByRole('list')).toBeNull();
    expect(screen.queryByText('Loading…')).toBeNull();
  });

  it('reads the skills again when the dashboard refreshes', async () => {
    const { rerender } = render(<SkillTreeWidget token={TOKEN} refreshKey={0} />);
    await screen.findByRole('list', { name: 'Skill tree' });
    reply = { status: 200, body: { skills: skills.map((node) => (node.code === 'caching' ? skill('caching', 'Caching', 'system-design', 95, 1, 80, '2026-11-26T08:00:00.000Z') : node)) } };

    rerender(<SkillTreeWidget token={TOKEN} refreshKey={1} />);

    expect(await screen.findByText('8 of 13 skills practised')).toBeTruthy();
    expect(itemOf('Caching').className).toBe('skill is-practised');
    expect(requests).toHaveLength(2);
  });
});
