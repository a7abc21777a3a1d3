/** The API key of this tab: in sessionStorage (gone when the tab closes), sent only as the bearer token. */
const KEY = 'vpctune.apiKey';

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function signIn(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}
