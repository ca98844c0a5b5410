import { useLayoutEffect, useRef, useState, type RefObject } from 'react';
// visx (Airbnb's React primitives over d3-scale and d3-shape), pinned in package.json. Chosen by size and
// accessibility, measured with `vite build` on a bars-and-line chart: visx added about 22 kB gzipped with
// its axes (14 kB without), uPlot about 22 kB but draws on a canvas, which has nothing in the
// accessibility tree and nothing to test in happy-dom, Recharts about 118 kB (the page would pass the
// 150 kB budget). visx renders plain SVG elements through React, so the chart is one labelled image
// whose figures are in the tables below it.
import { AxisBottom, AxisLeft, AxisRight } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleLinear } from '@visx/scale';
import { Bar, LinePath } from '@visx/shape';
import { addDays, DAY_MS, dayNumber, longDate, minutes, monthName, shortDate } from '../dates';
import type { Loadable } from '../load';
import type { PracticeAnalytics, PracticeWeek, ScoreTrendPoint } from '../types';
import { ChartTable } from './ChartTable';
import { LoadState } from './LoadState';

interface Props {
  analytics: Loadable<PracticeAnalytics>;
}

const HEIGHT = 220;
const MARGIN = { top: 12, right: 36, bottom: 26, left: 44 };
/** The width drawn before the card's own is known (and in tests, where nothing has a size). */
const DEFAULT_WIDTH = 640;
const XP_COLOUR = '#6c5ce7';
const SCORE_COLOUR = '#00a27f';
const AXIS_COLOUR = '#5b6072';

/** The width of the element, followed as it changes (a phone turned, a window resized). */
function useWidth<E extends HTMLElement>(): [RefObject<E | null>, number] {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  useLayoutEffect(() => {
    const element = ref.current;
    if (element === null) {
      return;
    }
    const measure = () => {
      if (element.clientWidth > 0) {
        setWidth(element.clientWidth);
      }
    };
    measure();
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** The first day of each month from `start` to `end` (day numbers), every `every`-th of them. */
function monthStarts(start: number, end: number, every: number): number[] {
  const firsts: number[] = [];
  const first = new Date(start * DAY_MS);
  for (let month = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1)); ; month.setUTCMonth(month.getUTCMonth() + every)) {
    const day = Math.round(month.getTime() / DAY_MS);
    if (day >= end) {
      return firsts;
    }
    firsts.push(day);
  }
}

function dateOf(day: number): string {
  return addDays('1970-01-01', day);
}

function score(value: number): string {
  return (Math.round(value * 10) / 10).toLocaleString();
}

/** A week's average score, or a dash (read out as "no score") for a week without a scored session. */
function ScoreCell({ value }: { value: number | null }) {
  return (
    <td>
      {value === null ? (
        <>
          <span aria-hidden="true">—</span>
          <span className="visually-hidden">no score</span>
        </>
      ) : (
        score(value)
      )}
    </td>
  );
}

function Chart({ weeks, trend, width }: { weeks: PracticeWeek[]; trend: ScoreTrendPoint[]; width: number }) {
  const innerWidth = Math.max(width - MARGIN.left - MARGIN.right, 100);
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const start = dayNumber(weeks[0].weekStart);
  const end = dayNumber(weeks[weeks.length - 1].weekStart) + 7;
  const x = scaleLinear<number>({ domain: [start, end], range: [0, innerWidth] });
  const xp = scaleLinear<number>({ domain: [0, Math.max(100, ...weeks.map((week) => week.xp))], range: [innerHeight, 0], nice: true });
  const scores = scaleLinear<number>({ domain: [0, 100], range: [innerHeight, 0] });
  const weekWidth = x(start + 7) - x(start);
  const gap = Math.max(1, weekWidth * 0.15);
  const points = trend.filter((point) => dayNumber(point.date) >= start && dayNumber(point.date) < end);
  const pointX = (point: ScoreTrendPoint) => x(dayNumber(point.date) + 0.5);
  const last = points.at(-1);
  // A month's label needs about 36 px: on a phone every second or third month is named.
  const months = monthStarts(start, end, Math.ceil(36 / (x(start + 30) - x(start))));
  const label = { fill: AXIS_COLOUR, fontSize: 11, fontFamily: 'inherit' };
  return (
    <svg width={width} height={HEIGHT} className="trend-svg" aria-hidden="true" focusable="false">
      <Group left={MARGIN.left} top={MARGIN.top}>
        {xp.ticks(4).map((tick) => (
          <line key={tick} x1={0} x2={innerWidth} y1={xp(tick)} y2={xp(tick)} className="trend-grid" />
        ))}
        {weeks.map((week) => {
          const left = x(dayNumber(week.weekStart));
          return (
            <Bar
              key={week.weekStart}
              className="trend-bar"
              data-week={week.weekStart}
              x={left + gap / 2}
              y={xp(week.xp)}
              width={Math.max(weekWidth - gap, 1)}
              height={innerHeight - xp(week.xp)}
              fill={XP_COLOUR}
              rx={Math.max(0, Math.min(2, (weekWidth - gap) / 2))}
            />
          );
        })}
        <LinePath className="trend-line" data={points} x={pointX} y={(point) => scores(point.average)} stroke={SCORE_COLOUR} strokeWidth={2.5} strokeLinejoin="round" />
        {last !== undefined && <circle className="trend-last" cx={pointX(last)} cy={scores(last.average)} r={3.5} fill={SCORE_COLOUR} />}
        <AxisLeft scale={xp} numTicks={4} hideTicks hideAxisLine tickFormat={(value) => Number(value).toLocaleString()} tickLabelProps={label} />
        <AxisRight left={innerWidth} scale={scores} tickValues={[0, 50, 100]} hideTicks hideAxisLine tickLabelProps={label} />
        <AxisBottom
          top={innerHeight}
          scale={x}
          tickValues={months}
          tickFormat={(value) => monthName(dateOf(Number(value)))}
          stroke={AXIS_COLOUR}
          tickStroke={AXIS_COLOUR}
          tickLength={4}
          tickLabelProps={{ ...label, textAnchor: 'start', dx: 2 }}
        />
      </Group>
    </svg>
  );
}

/** The chart as one labelled image, as wide as its card. */
function Plot({ weeks, trend, label }: { weeks: PracticeWeek[]; trend: ScoreTrendPoint[]; label: string }) {
  const [frame, width] = useWidth<HTMLDivElement>();
  return (
    <div className="trend-frame" ref={frame} role="img" aria-label={label}>
      <Chart weeks={weeks} trend={trend} width={width} />
    </div>
  );
}

function TrendView({ analytics }: { analytics: PracticeAnalytics }) {
  const weeks = [...analytics.weeks].sort((a, b) => a.weekStart.localeCompare(b.weekStart));
  const trend = [...analytics.scoreTrend].sort((a, b) => a.date.localeCompare(b.date));
  const total = weeks.reduce((sum, week) => sum + week.xp, 0);
  if (weeks.length === 0 || (total === 0 && trend.length === 0)) {
    return <p className="caption">No XP in the last year yet. Your weekly XP and your score trend start with your first session.</p>;
  }
  const thisWeek = weeks[weeks.length - 1];
  const latest = trend.at(-1);
  const summary = [
    `${total.toLocaleString()} XP in ${weeks.length} weeks`,
    `this week ${thisWeek.xp.toLocaleString()} XP`,
    latest === undefined ? 'no scored session yet' : `score trend ${score(latest.average)}`,
  ].join(' · ');
  return (
    <>
      <p className="caption trend-summary">{summary}</p>
      <Plot weeks={weeks} trend={trend} label={`Weekly XP as bars and the score trend as a line, from the week of ${shortDate(weeks[0].weekStart)}: ${summary}`} />
      <ul className="trend-legend" aria-hidden="true">
        <li>
          <span className="swatch is-xp" /> Weekly XP
        </li>
        <li>
          <span className="swatch is-score" /> Score trend (average of the last 10 scored sessions, 0 to 100)
        </li>
      </ul>
      <ChartTable what="the trend">
        <table className="data-table">
          <caption>Weekly XP</caption>
          <thead>
            <tr>
              <th scope="col">Week of</th>
              <th scope="col">Sessions</th>
              <th scope="col">Minutes</th>
              <th scope="col">XP</th>
              <th scope="col">Average score</th>
            </tr>
          </thead>
          <tbody>
            {weeks.map((week) => (
              <tr key={week.weekStart}>
                <th scope="row">{shortDate(week.weekStart)}</th>
                <td>{week.sessions.toLocaleString()}</td>
                <td>{minutes(week.practiceSeconds).toLocaleString()}</td>
                <td>{week.xp.toLocaleString()}</td>
                <ScoreCell value={week.averageScore} />
              </tr>
            ))}
          </tbody>
        </table>
        {trend.length > 0 && (
          <table className="data-table">
            <caption>Score trend: the average of the last 10 scored sessions, on each day with a scored session</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Score trend</th>
              </tr>
            </thead>
            <tbody>
              {trend.map((point) => (
                <tr key={point.date}>
                  <th scope="row">{longDate(point.date)}</th>
                  <td>{score(point.average)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ChartTable>
    </>
  );
}

/** Weekly XP as bars and the score trend as a line over the analytics' range, and both as tables. */
export function TrendChart({ analytics }: Props) {
  return (
    <section className="card trend" aria-labelledby="trend-heading" data-testid="trend-chart">
      <h2 id="trend-heading">Trend</h2>
      <LoadState loadable={analytics}>{(value) => <TrendView analytics={value} />}</LoadState>
    </section>
  );
}
