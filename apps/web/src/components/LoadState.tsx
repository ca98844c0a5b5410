import type { ReactNode } from 'react';
import type { Loadable } from '../load';

/** What a widget shows of data it reads: "Loading…", the api's error in words, or `children` of the data. */
export function LoadState<T>({ loadable, children }: { loadable: Loadable<T>; children: (value: T) => ReactNode }) {
  if (loadable.status === 'failed') {
    return (
      <p role="alert" className="error">
        {loadable.message}
      </p>
    );
  }
  return loadable.status === 'loading' ? <p className="caption">Loading…</p> : <>{children(loadable.value)}</>;
}
