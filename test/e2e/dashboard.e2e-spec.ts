import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEFAULT_CHROMIUM } from '@app/dev-stack';
import { aSessionCompleted, aUserId, aZoneAtMidday, calendarDateIn, eventually } from '@app/testing';
import { ApiHarness, tokenFor } from '../support/api-harness';
import { EngineHarness } from '../support/engine-harness';

const root = join(__dirname, '..', '..');
const SCREENSHOTS = join(root, 'test-results', 'screenshots');
// Debian's Chromium (the global set-up finds or installs it), headless, with what it would otherwise
// try to reach on the network switched off.
const CHROMIUM = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('the Locker Room in a real browser', () => {
  let engine: EngineHarness;
  let api: ApiHarness;
  let browser: Browser;
  let page: Page;
  let base: string;
  // What the browser reported as wrong: console errors (Chromium reports every Content-Security-Policy
  // violation there) and uncaught exceptions. Every test ends with none.
  let problems: string[] = [];

  beforeAll(async () => {
    engine = await EngineHarness.start();
    api = await ApiHarness.start({
      NODE_ENV: 'development',
      WEB_DIST_DIR: join(root, 'dist', 'apps', 'web'),
      TOPIC_BADGE_AWARDED: engine.topics.badgeAwarded,
      TOPIC_LEVEL_UP: engine.topics.levelUp,
      TOPIC_STREAK_AT_RISK: engine.topics.streakAtRisk,
      TOPIC_STREAK_FROZEN: engine.topics.streakFrozen,
      TOPIC_STREAK_LOST: engine.topics.streakLost,
    });
    await api.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    await eventually('the api to tail the topics for its live streams', async () => {
      const ready = (await (await fetch(`${base}/health/ready`)).json()) as { stream?: string };
      return ready.stream === 'up' ? true : undefined;
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') {
        problems.push(`console: ${message.text()} (${message.location().url})`);
      }
    });
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await engine?.stop();
  });

  afterEach(() => {
    const reported = problems;
    problems = [];
    expect(reported).toEqual([]);
  });

  const text = (selector: string) => page.locator(selector).first().innerText();

  it('signs a new user in to the Lobby, shows a session from Kafka, and adds a claimed challenge’s XP once', async () => {
    const userId = aUserId('browser');
    await page.goto(base);
    await page.fill('#user-id', userId);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Level 1' }).waitFor();

    expect(await text('.total-xp')).toBe('0 XP');
    expect(await text('[data-testid=current-streak]')).toBe('0');
    expect(await text('.today')).toBe('Not practised yet today');
    expect(await page.locator('.badge.earned').count()).toBe(0);
    expect(await page.locator('.badge.locked').count()).toBe(12);
    await page.screenshot({ path: join(SCREENSHOTS, '1-lobby.png'), fullPage: true });

    const session = aSessionCompleted({ userId, timezone: aZoneAtMidday(), durationSeconds: 600, score: 85 });
    await engine.send(userId, session);
    await engine.processed(session.eventId);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('.total-xp').filter({ hasText: /^100 XP$/ }).waitFor();

    expect(await text('h2#level-heading')).toBe('Level 2');
    expect(await text('[data-testid=current-streak]')).toBe('1');
    expect(await text('.today')).toBe('Practised today ✓');
    expect(await page.locator('.badge.earned').allInnerTexts()).toEqual([expect.stringContaining('First Steps')]);
    await page.screenshot({ path: join(SCREENSHOTS, '2-after-first-session.png'), fullPage: true });

    // The earned badge's Open Badges credential, downloaded as a file and verified against the api's keys.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download credential for First Steps' }).click()]);
    expect(download.suggestedFilename()).toBe('FIRST_STEPS.jwt');
    const { payload } = await jwtVerify(readFileSync(await download.path(), 'utf8'), createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`)), { algorithms: ['RS256'] });
    expect(payload).toMatchObject({ type: ['VerifiableCredential', 'OpenBadgeCredential'], name: 'First Steps' });
    expect(await page.getByRole('button', { name: /^Download credential/ }).count()).toBe(1);

    await page.getByRole('button', { name: 'Claim 75 XP' }).click();
    await page.getByText('175 XP', { exact: true }).waitFor();
    expect(await page.locator('[data-challenge=SCORE_AT_LEAST] .claimed').innerText()).toBe('Claimed ✓');
    expect(await page.getByRole('button', { name: /^Claim / }).count()).toBe(0);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('175 XP', { exact: true }).waitFor();
    expect((await engine.profile(userId))?.totalXp).toBe(175);
    await page.screenshot({ path: join(SCREENSHOTS, '3-after-claim.png'), fullPage: true });

    // The week's board (other test files' users are on it too): the user's own row is marked, in the
    // top 10 or among their neighbours, with the claim's XP counted; all time shows them as well.
    const mine = page.locator('.card.leaderboard tr[aria-current=true]');
    await mine.filter({ hasText: '175' }).waitFor();
    expect(await mine.locator('th').innerText()).toContain(userId);
    expect(await text('.card.leaderboard .leaderboard-me')).toMatch(/^Your rank: \d+ of \d+ · 175 XP$/);
    await page.locator('.card.leaderboard').screenshot({ path: join(SCREENSHOTS, '6-leaderboard.png') });
    await page.getByRole('tab', { name: 'All time' }).click();
    expect(await page.getByRole('tab', { name: 'All time' }).getAttribute('aria-selected')).toBe('true');
    await mine.filter({ hasText: '175' }).waitFor();
  });

  it('celebrates a new level and badge the moment a session from Kafka is decided, and updates the dashboard, with no click', async () => {
    const userId = aUserId('live');
    await page.goto(base);
    await page.evaluate('sessionStorage.clear()');
    await page.reload();
    await page.fill('#user-id', userId);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Level 1' }).waitFor();
    await page.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();

    const session = aSessionCompleted({ userId, timezone: aZoneAtMidday(), durationSeconds: 600, score: 85 });
    await engine.send(userId, session);
    const celebrations = page.getByRole('status');
    await celebrations.getByText('Level 2!').waitFor();
    await celebrations.getByText('First Steps').waitFor();
    await page.getByRole('heading', { name: 'Level 2' }).waitFor();
    await page.locator('.total-xp').filter({ hasText: /^100 XP$/ }).waitFor();
    expect(await text('[data-testid=current-streak]')).toBe('1');
    expect(await page.locator('.badge.earned').allInnerTexts()).toEqual([expect.stringContaining('First Steps')]);
    expect(await celebrations.getAttribute('aria-live')).toBe('polite');
    await page.screenshot({ path: join(SCREENSHOTS, '11-live-celebration.png'), fullPage: false });

    // The entrance is animated, except for people who asked for reduced motion.
    const animation = () => page.evaluate<string>("getComputedStyle(document.querySelector('.toast')).animationName");
    expect(await animation()).toBe('toast-in');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await animation()).toBe('none');
    await page.emulateMedia({ reducedMotion: 'no-preference' });

    await page.getByRole('button', { name: 'Dismiss: Level 2!' }).click();
    expect(await celebrations.getByText('Level 2!').count()).toBe(0);
  });

  it('shows the freezes held with a snowflake, marks the frozen day, and says how freezes are earned', async () => {
    const userId = aUserId('freezes');
    const zone = aZoneAtMidday();
    const dayMs = 86_400_000;
    const daysAgo = (days: number) => new Date(Date.now() - days * dayMs);
    // Fourteen days in a row (two freezes earned), the day before yesterday missed (one used), yesterday practised.
    const sessions = [...Array.from({ length: 14 }, (_, index) => 16 - index), 1].map((days) =>
      aSessionCompleted({ userId, timezone: zone, completedAt: daysAgo(days).toISOString(), durationSeconds: 900, score: 70 }),
    );
    await engine.send(userId, ...sessions);
    await engine.processed(...sessions.map((session) => session.eventId));
    const frozenDay = calendarDateIn(daysAgo(2), zone);

    // A browser tab of its own: the first test's user stays signed in in the other one.
    await page.goto(base);
    await page.evaluate('sessionStorage.clear()');
    await page.reload();
    await page.fill('#user-id', userId);
    await page.click('button[type=submit]');
    await page.locator('[data-testid=freezes-held]').waitFor();

    expect(await text('[data-testid=current-streak]')).toBe('15');
    expect(await text('[data-testid=freezes-held]')).toBe('1 of 2');
    expect(await page.locator('[data-testid=frozen-day]').evaluateAll((days) => days.map((day) => day.getAttribute('data-date')))).toEqual([frozenDay]);
    await page.hover('.freezes');
    expect(await text('#streak-freeze-tip')).toBe('You earn a streak freeze every 7 days of streak (up to 2 held). A day you miss uses one and keeps your streak.');
    await page.locator('.card.streak').screenshot({ path: join(SCREENSHOTS, '5-streak-freezes.png') });
  });

  it('shows a year of varied practice in the skills, the calendar and the trend, on a desktop and on a phone', async () => {
    const userId = aUserId('year');
    const zone = aZoneAtMidday();
    const dayMs = 86_400_000;
    const topics = [['arrays', 'graphs'], ['databases'], ['leadership', 'conflict'], ['communication'], ['dynamic-programming'], ['caching', 'scalability']];
    // 160 sessions over the last year: every second day or so, some days twice, of 10 to 45 minutes, scores drifting up.
    const sessions = Array.from({ length: 160 }, (_, index) =>
      aSessionCompleted({
        userId,
        timezone: zone,
        completedAt: new Date(Date.now() - (((index * 23) % 360) + 1) * dayMs - (index % 5) * 3_600_000).toISOString(),
        durationSeconds: 600 + (index % 8) * 300,
        score: 55 + ((index * 7) % 30) + Math.floor((160 - index) / 10),
        skills: topics[index % topics.length],
      }),
    );
    await engine.send(userId, ...sessions);
    await engine.processed(...sessions.map((session) => session.eventId));

    await page.goto(base);
    await page.evaluate('sessionStorage.clear()');
    await page.reload();
    await page.fill('#user-id', userId);
    await page.click('button[type=submit]');
    const skills = page.getByTestId('skills-widget');
    await skills.getByText(/skills practised/).waitFor();
    // Every node but strings: the parents count through their children.
    expect(await skills.innerText()).toContain('12 of 13 skills practised');
    expect(await skills.locator('[data-skill=strings]').getAttribute('class')).toContain('is-unpractised');
    const calendar = page.getByTestId('practice-calendar');
    await calendar.locator('[data-date]:not([data-level="0"])').first().waitFor();
    const practisedDays = await calendar.locator('[data-date]:not([data-level="0"])').count();
    expect(practisedDays).toBeGreaterThan(100);
    const trend = page.getByTestId('trend-chart');
    await trend.locator('rect.trend-bar').first().waitFor({ state: 'attached' });
    const bars = await trend.locator('rect.trend-bar').evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('height'))));
    // One bar a week of the year (53 or 54 ISO weeks), most of them with XP.
    expect(bars.length).toBeGreaterThanOrEqual(53);
    expect(bars.filter((height) => height > 0).length).toBeGreaterThan(40);
    await page.screenshot({ path: join(SCREENSHOTS, '7-year-of-practice.png'), fullPage: true });

    // A phone: 390 × 844. Nothing scrolls sideways, the header's buttons keep one line, the badges sit side by side.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await calendar.locator('[data-date]:not([data-level="0"])').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
    const refresh = await page.getByRole('button', { name: 'Refresh' }).boundingBox();
    expect(signOut!.height).toBeLessThan(48);
    expect(Math.abs(signOut!.y - refresh!.y)).toBeLessThan(4);
    const badgeColumns = new Set(await page.locator('.badge').evaluateAll((badges) => badges.map((badge) => Math.round(badge.getBoundingClientRect().left))));
    expect(badgeColumns.size).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: join(SCREENSHOTS, '8-phone-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  it('signs a new user in on a phone (390 × 844): nothing scrolls sideways, and the new widgets show their empty states', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await phone.goto(base);
      expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await phone.screenshot({ path: join(SCREENSHOTS, '9-phone-sign-in.png'), fullPage: true });
      await phone.fill('#user-id', aUserId('phone'));
      await phone.click('button[type=submit]');
      await phone.getByRole('heading', { name: 'Level 1' }).waitFor();
      await phone.getByTestId('skills-widget').getByText(/0 of 13 skills practised/).waitFor();
      await phone.getByTestId('practice-calendar').getByText(/No practice in the last 52 weeks yet/).waitFor();
      await phone.getByTestId('trend-chart').getByText(/No XP in the last year yet/).waitFor();
      expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      const signOut = await phone.getByRole('button', { name: 'Sign out' }).boundingBox();
      expect(signOut!.height).toBeLessThan(48);
      await phone.screenshot({ path: join(SCREENSHOTS, '10-phone-new-user.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it('sends under 150 kB of JavaScript, gzipped, as the api serves the production build', async () => {
    const assets = join(root, 'dist', 'apps', 'web', 'assets');
    const scripts = readdirSync(assets).filter((file) => file.endsWith('.js'));
    const gzipped = scripts.reduce((total, file) => total + gzipSync(readFileSync(join(assets, file))).length, 0);
    process.stdout.write(`dashboard: ${scripts.length} script(s), ${(gzipped / 1000).toFixed(1)} kB gzipped\n`);
    expect(scripts.length).toBeGreaterThan(0);
    expect(gzipped).toBeLessThan(150_000);
  });

  it('shows the OpenAPI UI under its own policy, every operation listed', async () => {
    const response = await page.goto(`${base}/docs`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.opblock-summary-path', { hasText: '/gamification/claim-challenge/{id}' }).waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(6);
    await page.getByRole('button', { name: 'Authorize' }).click();
    await page.locator('.modal-ux').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, '4-openapi-ui.png'), fullPage: true });
  });

  it('takes the user’s token from the host page’s one line, with no sign-in form, and asks it again when the token is refused', async () => {
    const userId = aUserId('hosted');
    const hosted = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    hosted.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    try {
      // What a platform's page defines before the bundle; here the first token handed over has expired.
      await hosted.addInitScript(
        ([expired, valid]) => {
          const tokens = [expired, valid];
          (globalThis as unknown as { asked: number }).asked = 0;
          (globalThis as unknown as { lockerRoomToken: () => Promise<string> }).lockerRoomToken = async () => {
            (globalThis as unknown as { asked: number }).asked += 1;
            return tokens.shift() ?? valid;
          };
        },
        [tokenFor(userId, {}, { expiresIn: -120 }), tokenFor(userId)],
      );
      await hosted.goto(base);
      await hosted.locator('.user-id').filter({ hasText: userId }).waitFor();
      expect(await hosted.locator('form.sign-in').count()).toBe(0);
      expect(await hosted.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      expect(await hosted.evaluate(() => (globalThis as unknown as { asked: number }).asked)).toBeGreaterThanOrEqual(2);
    } finally {
      await hosted.close();
    }
  });

  it('stops asking the host page when the tokens it hands over are refused every time', async () => {
    const hosted = await browser.newPage();
    hosted.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    try {
      await hosted.addInitScript((expired) => {
        (globalThis as unknown as { asked: number }).asked = 0;
        (globalThis as unknown as { lockerRoomToken: () => string }).lockerRoomToken = () => expired[(globalThis as unknown as { asked: number }).asked++ % expired.length];
      }, Array.from({ length: 5 }, (_, index) => tokenFor(`${aUserId('expired')}-${index}`, {}, { expiresIn: -120 })));
      await hosted.goto(base);
      await hosted.getByRole('alert').filter({ hasText: /expired/ }).waitFor();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await hosted.evaluate(() => (globalThis as unknown as { asked: number }).asked)).toBe(2);
    } finally {
      await hosted.close();
    }
  });

  it('offers no development sign-in outside development mode', async () => {
    const production = await ApiHarness.start({ NODE_ENV: 'test' });
    try {
      await production.http().post('/dev/token').send({ userId: 'anyone' }).expect(404);
      await production.http().get('/dev').expect(404);
    } finally {
      await production.stop();
    }
  });
});
