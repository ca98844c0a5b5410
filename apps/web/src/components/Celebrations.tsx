import { useEffect } from 'react';
import type { LiveEvent } from '../live/live-events';

/** How long a celebration stays before it goes by itself. */
const SHOWN_MS = 8_000;

/** What a live event says to its user, in words; null for one that is not worth a toast. */
export function celebrationOf(event: LiveEvent): { title: string; detail: string } | null {
  switch (event.type) {
    case 'badge.awarded':
      return { title: 'Badge earned!', detail: String(event.badgeName ?? event.badgeCode) };
    case 'level.up':
      return { title: `Level ${String(event.newLevel)}!`, detail: `You reached level ${String(event.newLevel)} with ${String(event.totalXp)} XP.` };
    case 'streak.at_risk':
      return { title: 'Your streak ends tonight', detail: `Practise today to keep your ${String(event.currentStreak)}-day streak.` };
    case 'streak.frozen':
      return { title: 'A freeze kept your streak', detail: `${String(event.frozenDate)} was frozen: your ${String(event.currentStreak)}-day streak lives on.` };
    case 'streak.lost':
      return { title: 'Streak ended', detail: `Your ${String(event.previousStreak)}-day streak ended. Start a new one today.` };
    default:
      return null;
  }
}

interface ToastProps {
  readonly event: LiveEvent;
  readonly onDismiss: (eventId: string) => void;
}

function CelebrationToast({ event, onDismiss }: ToastProps) {
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(event.eventId), SHOWN_MS);
    return () => clearTimeout(timer);
  }, [event, onDismiss]);
  const celebration = celebrationOf(event);
  if (celebration === null) {
    return null;
  }
  return (
    <div className={`toast toast-${event.type.replace('.', '-')}`}>
      <div>
        <strong>{celebration.title}</strong>
        <p>{celebration.detail}</p>
      </div>
      <button type="button" className="toast-dismiss" onClick={() => onDismiss(event.eventId)} aria-label={`Dismiss: ${celebration.title}`}>
        ×
      </button>
    </div>
  );
}

interface Props {
  readonly events: readonly LiveEvent[];
  readonly onDismiss: (eventId: string) => void;
}

/**
 * The celebrations of live events, newest last. The region is always there, so that screen readers
 * announce what appears in it (a polite status: it does not take focus or interrupt); each toast is
 * closed by its button or after a few seconds, and its entrance is animated only for people who
 * have not asked for reduced motion (styles.css).
 */
export function Celebrations({ events, onDismiss }: Props) {
  return (
    <div className="toasts" role="status" aria-live="polite">
      {events.map((event) => (
        <CelebrationToast key={event.eventId} event={event} onDismiss={onDismiss} />
      ))}
    </div>
  );
}
