/**
 * The cloud storage URL forms the controller and the trainer share (`s3://BUCKET/PREFIX`, `gs://BUCKET/PREFIX`,
 * `az://ACCOUNT/CONTAINER/PREFIX`): how one is split and the messages for one that is malformed. The trainer's
 * `vpctune_trainer/storage.py` implements the same rules with the same messages; `test/fixtures/storage-urls.json`
 * is checked against both.
 */

/** A cloud storage URL that names no usable location; the message names the URL, the part and what is allowed. */
export class StorageUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageUrlError';
  }
}

/** A named part of a storage URL (bucket, account, container) and the names the cloud allows for it. */
export interface StorageNameRule {
  /** What the part is called in messages (`bucket`, `account`, `container`). */
  readonly part: string;
  /** What the cloud calls such a name in messages (`an S3 bucket name`). */
  readonly kind: string;
  readonly pattern: RegExp;
  readonly allowed: string;
}

/** A storage URL split into its location names (in URL order) and its key prefix. */
export interface SplitStorageUrl {
  readonly names: readonly string[];
  /** The key prefix: the remaining path segments joined by `/`, without empty segments. */
  readonly prefix: string;
}

/**
 * Splits `url` as `scheme://NAME1[/NAME2…][/PREFIX]` with one name per rule, checking each name against its rule.
 * Returns undefined when `url` is not of `scheme` (case-insensitive); throws StorageUrlError when it is but a name is
 * missing or not allowed. Path segments are taken as written (no percent-decoding); empty segments are dropped.
 */
export function splitStorageUrl(scheme: string, urlForm: string, rules: readonly StorageNameRule[], url: string): SplitStorageUrl | undefined {
  const sep = url.indexOf('://');
  if (sep < 0 || url.slice(0, sep).toLowerCase() !== scheme) return undefined;
  const segments = url.slice(sep + 3).split('/');
  const names: string[] = [];
  rules.forEach((rule, i) => {
    const name = segments[i] ?? '';
    if (name === '') throw new StorageUrlError(`storage URL ${url} names no ${rule.part}; allowed: ${urlForm}`);
    if (!rule.pattern.test(name)) throw new StorageUrlError(`storage URL ${url}: ${rule.part} ${JSON.stringify(name)} is not ${rule.kind}; allowed: ${rule.allowed}`);
    names.push(name);
  });
  return { names, prefix: segments.slice(rules.length).filter((s) => s !== '').join('/') };
}

/** `scheme://NAME1/NAME2[/PREFIX]`: the canonical URL of a location and a prefix (no trailing slash). */
export function joinStorageUrl(scheme: string, names: readonly string[], prefix = ''): string {
  const tail = prefix.split('/').filter((s) => s !== '');
  return `${scheme}://${[...names, ...tail].join('/')}`;
}
