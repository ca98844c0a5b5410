import { useId, useState, type ReactNode } from 'react';

interface Props {
  /** What the button names: "Show {what} as a table" (then "Hide the table"). */
  what: string;
  children: ReactNode;
}

/**
 * A chart's data as tables. They are always in the page, and so in the accessibility tree for screen
 * readers, visually hidden until the button shows them (for whoever would rather read the numbers).
 */
export function ChartTable({ what, children }: Props) {
  const [shown, setShown] = useState(false);
  const id = useId();
  return (
    <div className="chart-table">
      <button type="button" className="link-button" aria-controls={id} aria-expanded={shown} onClick={() => setShown((now) => !now)}>
        {shown ? 'Hide the table' : `Show ${what} as a table`}
      </button>
      {/* Shown, it scrolls within a few rows' height: a tab stop, so that the keyboard scrolls it too. */}
      <div
        id={id}
        role="region"
        aria-label={`${what[0].toUpperCase()}${what.slice(1)} as a table`}
        tabIndex={shown ? 0 : undefined}
        className={shown ? 'chart-table-body' : 'chart-table-body visually-hidden'}
      >
        {children}
      </div>
    </div>
  );
}
