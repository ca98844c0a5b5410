import { useEffect, useState } from 'react';
import { errorMessage } from './api';

/** What a widget has of the data it reads: nothing yet, the api's error in words, or the data. */
export type Loadable<T> = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'loaded'; value: T };

/**
 * Reads `read(token)` now and again each time `refreshKey` changes (the dashboard's Refresh, a claim);
 * the data read last stays shown while a refresh is on its way. `read` must keep its identity between
 * renders (a function of the api module, not an arrow made in the render).
 */
export function useLoad<T>(read: (token: string) => Promise<T>, token: string, refreshKey: number): Loadable<T> {
  const [loadable, setLoadable] = useState<Loadable<T>>({ status: 'loading' });
  useEffect(() => {
    let stale = false;
    read(token).then(
      (value) => {
        if (!stale) {
          setLoadable({ status: 'loaded', value });
        }
      },
      (failure: unknown) => {
        if (!stale) {
          setLoadable({ status: 'failed', message: errorMessage(failure) });
        }
      },
    );
    return () => {
      stale = true;
    };
  }, [read, token, refreshKey]);
  return loadable;
}
