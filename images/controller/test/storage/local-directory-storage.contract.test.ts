/** The BlobStorage contract against the reference implementation, a local directory. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalDirectoryStorage } from '../../src/storage/local-directory-storage';
import { defineBlobStorageContract } from './blob-storage-contract';

let dir = '';
defineBlobStorageContract('local directory', {
  start: async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-local-storage-'));
    return new LocalDirectoryStorage(dir);
  },
  // Local puts write `<key>.partial-*` and rename; a refused or failed put must leave none behind.
  pendingUploads: async () => {
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [e.name]));
    return walk(dir).filter((f) => f.includes('.partial-')).length;
  },
  stop: async () => fs.rmSync(dir, { recursive: true, force: true }),
});
