/**
 * Every signed-in page's path, in navigation order: the route table (routes.ts) is checked against
 * it, and the browser tests that walk every page read it.
 */
export const ROUTE_PATHS = [
  '/',
  '/raid',
  '/callers',
  '/contacts',
  '/rules',
  '/lines',
  '/budget',
  '/simulator',
  '/notifications',
  '/audit',
  '/evidence',
  '/privacy',
  '/users',
  '/callers/:id',
  '/account',
] as const;

export type RoutePath = (typeof ROUTE_PATHS)[number];
