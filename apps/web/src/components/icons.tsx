/** Small inline icons, so that they look the same whatever fonts the machine has. */
export function FlameIcon({ lit }: { lit: boolean }) {
  return (
    <svg className="icon flame" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
      <path
        d="M12 2c1 3.5-1.5 5.5-1.5 8.5 0 1.3.8 2.3 2 2.3 1.5 0 2.2-1.3 2-3 2.2 1.7 3.5 4.2 3.5 6.7A6 6 0 0 1 12 22a6 6 0 0 1-6-5.5C6 11 12 8.5 12 2Z"
        fill={lit ? '#ff7a18' : '#c8cbd6'}
      />
      <path d="M12 14c1.8 1.4 2.5 3 2.5 4.2a2.5 2.5 0 0 1-5 0c0-1.6 1.2-2.6 2.5-4.2Z" fill={lit ? '#ffd23f' : '#e4e6ef'} />
    </svg>
  );
}

/** Three crossed arms with a chevron at each end; icy blue while `lit`, grey otherwise (as FlameIcon). */
export function SnowflakeIcon({ lit }: { lit: boolean }) {
  return (
    <svg className="icon snowflake" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
      <g fill="none" stroke={lit ? '#2e9bd6' : '#c8cbd6'} strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
        {[0, 60, 120].map((angle) => (
          <path key={angle} d="M12 2.5v19M9.5 4.5 12 7l2.5-2.5M9.5 19.5 12 17l2.5 2.5" transform={`rotate(${angle} 12 12)`} />
        ))}
      </g>
    </svg>
  );
}

export function MedalIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
      <path d="M7 2h4l1 5-3 2-2-7Zm10 0h-4l-1 5 3 2 2-7Z" fill="#6c5ce7" />
      <circle cx="12" cy="15" r="6.5" fill="#f1c40f" stroke="#d4a20a" strokeWidth="1.5" />
      <path d="m12 11.5 1.1 2.3 2.4.3-1.8 1.6.5 2.4-2.2-1.2-2.2 1.2.5-2.4-1.8-1.6 2.4-.3Z" fill="#fff7e0" />
    </svg>
  );
}

export function LockIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
      <rect x="5" y="10.5" width="14" height="10" rx="2" fill="#9aa0b2" />
      <path d="M8 10.5V8a4 4 0 0 1 8 0v2.5" fill="none" stroke="#9aa0b2" strokeWidth="2" />
    </svg>
  );
}
