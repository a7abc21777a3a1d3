import type { Route } from './http-types';

interface Compiled {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

export type RouteMatch = { readonly route: Route; readonly params: Readonly<Record<string, string>> } | { readonly allowed: readonly string[] } | undefined;

/** Matches a method and path to a route; model ids may contain `/` and `:`, so `:model*` takes the rest. */
export class Router {
  private readonly compiled: readonly Compiled[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.template.replace(/:(\w+)(\*?)/g, (_m, name: string, rest: string) => {
        names.push(name);
        return rest === '*' ? '(.+)' : '([^/]+)';
      });
      return { route, pattern: new RegExp(`^${source}$`), names };
    });
  }

  match(method: string, path: string): RouteMatch {
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const m = c.pattern.exec(path);
      if (m === null) continue;
      if (c.route.method !== method) {
        allowed.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
      return { route: c.route, params };
    }
    return allowed.length > 0 ? { allowed } : undefined;
  }
}
