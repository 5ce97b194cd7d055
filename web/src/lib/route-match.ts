// Which page an address shows; kept apart from the History API so it can be tested without a browser.

export type Route =
  | { readonly name: 'signin' }
  | { readonly name: 'incidents' }
  | { readonly name: 'incident'; readonly id: string }
  | { readonly name: 'overview' }
  | { readonly name: 'jira' }
  | { readonly name: 'automation' }
  | { readonly name: 'users' }
  | { readonly name: 'audit' }
  | { readonly name: 'home' }
  | { readonly name: 'notFound' };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  switch (path) {
    case '/':
      return { name: 'home' };
    case '/signin':
      return { name: 'signin' };
    case '/incidents':
      return { name: 'incidents' };
    case '/overview':
      return { name: 'overview' };
    case '/integrations/jira':
      return { name: 'jira' };
    case '/settings/automation':
      return { name: 'automation' };
    case '/settings/users':
      return { name: 'users' };
    case '/audit':
      return { name: 'audit' };
  }
  const incident = /^\/incidents\/([^/]+)$/.exec(path);
  if (incident?.[1]) {
    try {
      return { name: 'incident', id: decodeURIComponent(incident[1]) };
    } catch {
      return { name: 'notFound' };
    }
  }
  return { name: 'notFound' };
}

/** Only same-app paths may be a post-sign-in destination: never another origin (`//evil.example`). */
export function safeNextPath(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/signin')) return '/incidents';
  return next;
}
