const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The URL scheme of a storage URL, lowercased; undefined for a plain path. */
export function storageUrlScheme(url: string): string | undefined {
  return SCHEME.exec(url)?.[1]?.toLowerCase();
}

/** Whether `url` names local storage: a directory path (no scheme) or a `file://` URL. */
export function isLocalStorageUrl(url: string): boolean {
  const scheme = storageUrlScheme(url);
  return scheme === undefined || scheme === 'file';
}
