import { gamificationApi } from '../api';
import { useLoad } from '../load';
import { PracticeCalendar } from './PracticeCalendar';
import { TrendChart } from './TrendChart';

interface Props {
  token: string;
  /** Changes when the dashboard reloads (Refresh, a claim): the analytics are read again. */
  refreshKey?: number;
  /** The present instant, for today's square of the calendar. */
  now: Date;
}

/** The practice calendar and the trend chart: two cards of the dashboard over one read of the last 365 days. */
export function PracticeWidgets({ token, refreshKey = 0, now }: Props) {
  const analytics = useLoad(gamificationApi.analytics, token, refreshKey);
  return (
    <>
      <PracticeCalendar analytics={analytics} now={now} />
      <TrendChart analytics={analytics} />
    </>
  );
}
