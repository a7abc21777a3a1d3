/**
 * A local fake of the slice of Google Cloud Storage's JSON API that GcsStorage uses, because no GCS emulator installs
 * from npm (fake-gcs-server is a Go binary/container; `mock-gcs` on npm mocks the SDK's classes, not the HTTP API,
 * so it would skip the SDK code we want to exercise). It speaks HTTP to the real `@google-cloud/storage` client:
 *
 *   POST   /upload/storage/v1/b/B/o?uploadType=resumable&name=N    → 200, Location: a session URL
 *   PUT    <session URL>  (single streamed request, Content-Range bytes 0-* / *) → 200 + object resource
 *   GET    /storage/v1/b/B/o/N            → object resource (size, crc32c, md5Hash) or 404
 *   GET    /storage/v1/b/B/o/N?alt=media  → the bytes, with x-goog-hash and x-goog-stored-content-encoding
 *   DELETE /storage/v1/b/B/o/N            → 204 or 404
 *   GET    /storage/v1/b/B/o?prefix=P&pageToken=T&maxResults=M → { items, nextPageToken }
 *   POST   /storage/v1/b/B/o/S/rewriteTo/b/B/o/D → { done: true, resource }
 *
 * Objects are files in a temporary directory, streamed in and out (never held whole in memory). An upload whose
 * request is aborted before its body ends is dropped, as GCS drops an unfinished session. NOT covered (real GCS
 * only): authentication and IAM, multi-chunk resumable sessions and their recovery (308 / status queries),
 * generations and preconditions, multi-request rewrites of large objects, eventual listing behaviour, server-side
 * errors and retries. Any other request answers 501 with its method and URL so a gap shows up plainly.
 */
import { CRC32C } from '@google-cloud/storage';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

interface StoredObject {
  readonly file: string;
  readonly size: number;
  readonly crc32c: string;
  readonly md5Hash: string;
  readonly updated: string;
}

export interface FakeGcsServer {
  /** Value for GcsStorage's `apiEndpoint`, e.g. `http://127.0.0.1:41234`. */
  readonly apiEndpoint: string;
  /** Upload sessions begun but never finished (aborted bodies leave one each). */
  openSessions(): number;
  /** Requests the fake did not understand, as `METHOD URL`. */
  readonly unhandled: string[];
  /** How many object-list pages it has served. */
  listPages(): number;
  stop(): Promise<void>;
}

export async function startFakeGcs(bucket: string): Promise<FakeGcsServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-fake-gcs-'));
  const objects = new Map<string, StoredObject>();
  const sessions = new Map<string, string>();
  const unhandled: string[] = [];
  let pages = 0;
  let base = '';

  const resource = (name: string, o: StoredObject) => ({
    kind: 'storage#object',
    id: `${bucket}/${name}`,
    name,
    bucket,
    size: String(o.size),
    crc32c: o.crc32c,
    md5Hash: o.md5Hash,
    contentType: 'application/octet-stream',
    updated: o.updated,
  });
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const notFound = (res: http.ServerResponse, what: string) => json(res, 404, { error: { code: 404, message: `No such object: ${what}`, errors: [{ reason: 'notFound', message: `No such object: ${what}` }] } });

  /** Streams `source` into a new file, hashing as it goes; resolves with the stored object. */
  const store = async (source: NodeJS.ReadableStream): Promise<StoredObject> => {
    const file = path.join(dir, randomUUID());
    const crc = new CRC32C();
    const md5 = createHash('md5');
    let size = 0;
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const c of chunks) {
          crc.update(c);
          md5.update(c);
          size += c.length;
          yield c;
        }
      },
      fs.createWriteStream(file),
    );
    return { file, size, crc32c: crc.toString(), md5Hash: md5.digest('base64'), updated: new Date().toISOString() };
  };
  const put = (name: string, o: StoredObject) => {
    const old = objects.get(name);
    objects.set(name, o);
    if (old !== undefined) fs.rmSync(old.file, { force: true });
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    const p = url.pathname;
    const q = url.searchParams;
    const objectPath = new RegExp(`^/storage/v1/b/${bucket}/o/([^/]+)$`);
    const rewrite = new RegExp(`^/storage/v1/b/${bucket}/o/([^/]+)/rewriteTo/b/${bucket}/o/([^/]+)$`);
    if (req.method === 'POST' && p === `/upload/storage/v1/b/${bucket}/o` && q.get('uploadType') === 'resumable') {
      req.resume();
      const id = randomUUID();
      sessions.set(id, q.get('name') ?? '');
      res.writeHead(200, { location: `${base}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&upload_id=${id}`, 'content-length': 0 });
      res.end();
      return;
    }
    if (req.method === 'PUT' && p === `/upload/storage/v1/b/${bucket}/o` && sessions.has(q.get('upload_id') ?? '')) {
      const id = q.get('upload_id') ?? '';
      const name = sessions.get(id) ?? '';
      let o: StoredObject;
      try {
        o = await store(req);
      } catch {
        return; // the client went away mid-body: the session stays unfinished and nothing is stored
      }
      if (!req.complete) {
        fs.rmSync(o.file, { force: true });
        return;
      }
      sessions.delete(id);
      put(name, o);
      json(res, 200, resource(name, o));
      return;
    }
    const rw = rewrite.exec(p);
    if (req.method === 'POST' && rw !== null) {
      req.resume();
      const from = decodeURIComponent(rw[1] ?? '');
      const to = decodeURIComponent(rw[2] ?? '');
      const src = objects.get(from);
      if (src === undefined) return notFound(res, from);
      const copy = { ...src, file: path.join(dir, randomUUID()), updated: new Date().toISOString() };
      await fs.promises.copyFile(src.file, copy.file);
      put(to, copy);
      json(res, 200, { kind: 'storage#rewriteResponse', totalBytesRewritten: String(copy.size), objectSize: String(copy.size), done: true, resource: resource(to, copy) });
      return;
    }
    const op = objectPath.exec(p);
    if (op !== null) {
      const name = decodeURIComponent(op[1] ?? '');
      const o = objects.get(name);
      if (req.method === 'GET' && q.get('alt') === 'media') {
        if (o === undefined) return notFound(res, name);
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': o.size,
          'x-goog-hash': `crc32c=${o.crc32c},md5=${o.md5Hash}`,
          'x-goog-stored-content-encoding': 'identity',
        });
        await pipeline(fs.createReadStream(o.file), res).catch(() => undefined);
        return;
      }
      if (req.method === 'GET') return o === undefined ? notFound(res, name) : json(res, 200, resource(name, o));
      if (req.method === 'DELETE') {
        if (o === undefined) return notFound(res, name);
        objects.delete(name);
        fs.rmSync(o.file, { force: true });
        res.writeHead(204);
        res.end();
        return;
      }
    }
    if (req.method === 'GET' && p === `/storage/v1/b/${bucket}/o`) {
      const prefix = q.get('prefix') ?? '';
      const max = Math.min(Number(q.get('maxResults') ?? 1000) || 1000, 1000);
      const names = [...objects.keys()].filter((n) => n.startsWith(prefix)).sort();
      const start = q.get('pageToken') !== null ? names.findIndex((n) => n > (q.get('pageToken') ?? '')) : 0;
      const page = start < 0 ? [] : names.slice(start, start + max);
      const more = start >= 0 && start + max < names.length;
      pages++;
      json(res, 200, { kind: 'storage#objects', items: page.map((n) => resource(n, objects.get(n) as StoredObject)), ...(more ? { nextPageToken: page[page.length - 1] } : {}) });
      return;
    }
    req.resume();
    unhandled.push(`${req.method} ${req.url}`);
    json(res, 501, { error: { code: 501, message: `fake GCS does not implement ${req.method} ${req.url}` } });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: { code: 500, message: String(err) } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
  return {
    apiEndpoint: base,
    openSessions: () => sessions.size,
    unhandled,
    listPages: () => pages,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
