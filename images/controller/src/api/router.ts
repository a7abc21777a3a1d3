import { invalidParam, shown } from '../domain/api-error';
import { requirePrintable } from '../validation/plain-text';
import type { Route } from './http-types';

interface Compiled {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

/** A matched route and its path parameters as they were sent (still percent-encoded): see decodePathParams. */
export type RouteMatch = { readonly route: Route; readonly rawParams: Readonly<Record<string, string>> } | { readonly allowed: readonly string[] } | undefined;

/**
 * Decodes a matched route's path parameters. Each is named as the API names it (`file_id`, `fine_tuning_job_id`,
 * `model`); malformed percent-encoding or a control character (a NUL would cut the id in SQLite) is a 400 naming it.
 */
export function decodePathParams(rawParams: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const params: Record<string, string> = {};
  for (const [name, raw] of Object.entries(rawParams)) {
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      throw invalidParam(name, `Invalid '${name}': ${shown(raw)} is not valid percent-encoding (UTF-8 bytes as %XX).`);
    }
    params[name] = requirePrintable(value, name);
  }
  return params;
}

/**
 * Matches a method and path to a route; model ids may contain `/` and `:`, so `:model*` takes the rest. Matching
 * does not decode, so it cannot fail: the route template is known (for metrics) before the request is authenticated.
 */
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
      const rawParams: Record<string, string> = {};
      c.names.forEach((n, i) => (rawParams[n] = m[i + 1] ?? ''));
      return { route: c.route, rawParams };
    }
    return allowed.length > 0 ? { allowed } : undefined;
  }
}
