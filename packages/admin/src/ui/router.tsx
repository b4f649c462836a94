import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** A small history-API router: the UI has six pages, which does not need a routing library. */

const changeEvent = 'jobby:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(changeEvent));
}

export function useLocation(): { pathname: string; search: string } {
  const read = () => ({ pathname: window.location.pathname, search: window.location.search });
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const update = () => setLocation(read());
    window.addEventListener('popstate', update);
    window.addEventListener(changeEvent, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(changeEvent, update);
    };
  }, []);
  return location;
}

export type Route =
  | { page: 'overview' }
  | { page: 'jobs' }
  | { page: 'job'; id: string }
  | { page: 'graph'; id: string }
  | { page: 'submit' }
  | { page: 'failures' }
  | { page: 'controls' }
  | { page: 'running' }
  | { page: 'workflows' }
  | { page: 'type'; type: string }
  | { page: 'not-found' };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { page: 'overview' };
  if (path === '/jobs') return { page: 'jobs' };
  if (path === '/submit') return { page: 'submit' };
  if (path === '/failures') return { page: 'failures' };
  if (path === '/controls') return { page: 'controls' };
  if (path === '/running') return { page: 'running' };
  if (path === '/workflows') return { page: 'workflows' };
  let match = /^\/jobs\/(\d+)$/.exec(path);
  if (match) return { page: 'job', id: match[1]! };
  match = /^\/jobs\/(\d+)\/graph$/.exec(path);
  if (match) return { page: 'graph', id: match[1]! };
  match = /^\/types\/([^/]+)$/.exec(path);
  if (match) return { page: 'type', type: decodeURIComponent(match[1]!) };
  return { page: 'not-found' };
}

export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
