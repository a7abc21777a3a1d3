/**
 * The cloud storage URL forms the controller and the trainer share, read through the cloud profiles. The same fixture
 * (test/fixtures/storage-urls.json) is checked by the trainer's pytest (test_trainer_storage.py), so the two readers
 * cannot drift: same parts, same canonical form, same messages.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cloudProfile, parseCloudStorageUrl, StorageUrlError } from '../../constructs/platform';

interface ValidUrl {
  readonly url: string;
  readonly scheme: string;
  readonly account?: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly canonical: string;
}
const FIXTURE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'storage-urls.json'), 'utf8')) as {
  readonly valid: readonly ValidUrl[];
  readonly invalid: readonly { readonly url: string; readonly message: string }[];
};

describe('shared storage URL fixture, read by the cloud profiles', () => {
  test.each(FIXTURE.valid.map((v) => [v.url, v] as const))('GIVEN %s WHEN parsed THEN its parts and canonical form are the fixture’s', (url, want) => {
    // WHEN the profile of its scheme reads it
    const got = parseCloudStorageUrl(url);
    const profile = cloudProfile(got.cloud);
    // THEN the scheme, location and prefix are the fixture's, and writing them back gives the canonical URL
    expect(profile.storage.scheme).toBe(want.scheme);
    expect(got.location).toEqual({ bucket: want.bucket, ...(want.account !== undefined ? { account: want.account } : {}) });
    expect(got.prefix).toBe(want.prefix);
    expect(profile.storage.url(got.location, got.prefix)).toBe(want.canonical);
  });

  test.each(FIXTURE.invalid.map((v) => [v.url, v.message] as const))('GIVEN %s WHEN parsed THEN refused: %s', (url, message) => {
    expect(() => parseCloudStorageUrl(url)).toThrow(new StorageUrlError(message));
  });

  test('the fixture covers every cloud, valid and invalid', () => {
    const schemes = ['s3', 'gs', 'az'];
    expect([...new Set(FIXTURE.valid.map((v) => v.scheme))].sort()).toEqual([...schemes].sort());
    for (const scheme of schemes) expect(FIXTURE.invalid.some((v) => v.url.startsWith(`${scheme}://`))).toBe(true);
  });
});
