/** Raw HTTP for what the official SDKs cannot express: unauthenticated floods, odd paths, uploads cut off mid-body. */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** `http://127.0.0.1:PORT` of a platform whose API base URL is `…/v1`. */
export function originOf(apiUrl: string): string {
  return apiUrl.replace(/\/v1$/, '');
}

/** The `/metrics` text. */
export async function metricsText(origin: string): Promise<string> {
  return (await fetch(`${origin}/metrics`)).text();
}

/** The value of one sample line of `/metrics` (`name{labels}`), or undefined when the series is absent. */
export function sampleValue(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Files under `dir` (recursively) whose name marks an unfinished upload. */
export function partialFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.partial-/.test(path.basename(f)));
}

/** How many file descriptors process `pid` has open. */
export function openFds(pid: number | 'self'): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * Starts a multipart upload of a large file, sends `sentBytes` of it, waits until `started()` says the server is
 * writing it, then drops the connection before the closing boundary.
 */
export async function abortedUpload(origin: string, apiKey: string, sentBytes: number, started: () => boolean): Promise<void> {
  const { hostname, port } = new URL(origin);
  const boundary = 'soakboundary7MA4YWxkTrZu0gW';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  socket.write(
    `POST /v1/files HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${head.length + 10 * sentBytes}\r\n\r\n${head}`,
  );
  socket.write(Buffer.alloc(sentBytes, 0x61));
  const deadline = Date.now() + 10_000;
  while (!started() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  socket.destroy();
}
