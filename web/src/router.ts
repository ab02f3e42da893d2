import { useSyncExternalStore } from 'react';

/** The pages of the app: the start page and one board per room. */
export type Route = { page: 'start' } | { page: 'room'; roomId: string; invite: string | null };

const NAVIGATE_EVENT = 'scrible:navigate';

/**
 * Parses a location; the server serves index.html for `/` and `/r/*` (API for the rest).
 * Invite links carry the token in the fragment (`#invite=…`), which browsers never send
 * to a server, so it stays out of access and proxy logs; `?invite=` from older links
 * is still read.
 */
export function parseRoute(location: Pick<Location, 'pathname' | 'search' | 'hash'>): Route {
  const match = /^\/r\/([^/]+)\/?$/.exec(location.pathname);
  if (!match) return { page: 'start' };
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  return {
    page: 'room',
    roomId: decodeURIComponent(match[1]),
    invite: fragment.get('invite') ?? new URLSearchParams(location.search).get('invite'),
  };
}

/** Goes to another page without a reload, keeping the browser's back button working. */
export function navigate(path: string): void {
  history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The current route, re-rendering on `navigate` and on back/forward. */
export function useRoute(): Route {
  const href = useSyncExternalStore(subscribe, () => location.pathname + location.search + location.hash);
  return parseRoute(new URL(href, location.origin));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener('hashchange', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener('hashchange', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}
