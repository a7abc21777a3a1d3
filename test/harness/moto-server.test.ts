import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findMotoCommand, MotoSetupError, startMotoServer } from './moto-server';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function listBuckets(endpoint: string): Promise<string> {
  const res = await fetch(`${endpoint}/`, {
    headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=AKIAVPCTUNETEST00000/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x' },
  });
  return res.text();
}

describe('moto server', () => {
  test('starts on 127.0.0.1 and a free port, serves S3, resets, and stops with its process group', async () => {
    // WHEN
    const moto = await startMotoServer();
    try {
      // THEN
      expect(moto.endpoint).toBe(`http://127.0.0.1:${moto.port}`);
      const created = await fetch(`${moto.endpoint}/vpctune-probe`, {
        method: 'PUT',
        headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=AKIAVPCTUNETEST00000/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x' },
      });
      expect(created.status).toBe(200);
      expect(await listBuckets(moto.endpoint)).toContain('<Name>vpctune-probe</Name>');
      await moto.reset();
      expect(await listBuckets(moto.endpoint)).not.toContain('vpctune-probe');
    } finally {
      await moto.stop();
    }
    expect(alive(moto.pid)).toBe(false);
    await moto.stop(); // idempotent
  });

  test('without moto_server on PATH and without python3, the error says how to install it', () => {
    // GIVEN a PATH with nothing on it
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-empty-path-'));
    const saved = process.env['PATH'];
    process.env['PATH'] = empty;
    try {
      // WHEN / THEN
      expect(() => findMotoCommand()).toThrow(MotoSetupError);
      expect(() => findMotoCommand()).toThrow(/moto_server is not on PATH and `python3 -m moto\.server` is not importable .*pip install 'moto\[server\]'/);
    } finally {
      process.env['PATH'] = saved;
    }
  });
});
