import { requirePrintable } from '../validation/plain-text';

/**
 * Refuses query parameters whose name or value holds a control character (a NUL would cut a cursor or a metadata
 * filter in SQLite): a 400 naming the parameter.
 */
export function requirePrintableQuery(query: URLSearchParams): void {
  for (const [name, value] of query) {
    requirePrintable(name, name, { subject: 'query parameter name' });
    requirePrintable(value, name);
  }
}
