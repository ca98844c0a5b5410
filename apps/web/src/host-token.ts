/**
 * Where a platform hands the Locker Room its user's token: the page that serves the dashboard defines
 * `window.lockerRoomToken` before the bundle, a function that returns the access token its identity
 * provider issued (or a promise of it), for example
 *
 *   <script>window.lockerRoomToken = () => auth.getAccessToken();</script>
 *
 * The dashboard then shows no sign-in form and asks the function again whenever the api refuses the
 * token (it expired): a platform's SDK returns a renewed one.
 */
declare global {
  interface Window {
    lockerRoomToken?: () => string | Promise<string>;
  }
}

export type HostTokenSource = () => Promise<string>;

/** The host page's token function, or null where the page defines none (development sign-in is used then). */
export function hostTokenSource(host: Window = window): HostTokenSource | null {
  const provide = host.lockerRoomToken;
  if (typeof provide !== 'function') {
    return null;
  }
  return async () => {
    const token = await provide();
    if (typeof token !== 'string' || token.length === 0) {
      throw new Error('The page’s lockerRoomToken() gave no token: sign in on the platform first.');
    }
    return token;
  };
}
