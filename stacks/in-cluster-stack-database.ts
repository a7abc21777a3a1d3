/**
 * The controller's database URL as the in-cluster stack writes it into the `vpctune-database` Secret: the user and
 * password from the cloud's managed secret (JSON `{"username", "password"}`, decoded by Terraform at apply time, so no
 * password is in the synthesized JSON), the platform stack's `database_endpoint` (`HOST:5432`), the database and the
 * TLS mode the controller connects with.
 */
import { Fn } from 'cdktf';

/**
 * The `sslmode` of the URL, with libpq's meanings (the controller reads the URL that way: postgres-driver.ts).
 * Every platform database refuses plain connections; the mode says how much of the server is verified.
 */
export enum DatabaseSslMode {
  /** Encrypted; the server's certificate is not verified (Cloud SQL on a private IP: its certificate names no IP). */
  REQUIRE = 'require',
  /** Encrypted; the certificate chains to a trusted CA and names the host (RDS with the built-in RDS CA bundle, Azure's public CAs). */
  VERIFY_FULL = 'verify-full',
}

/** What one cloud's in-cluster stack reads to build the URL. */
export interface DatabaseUrlParts {
  /** The managed secret's JSON text (a Terraform reference: the data source's value). */
  readonly credentialsJson: string;
  /** `HOST:PORT` (the platform stack's `database_endpoint` output). */
  readonly endpoint: string;
  /** The database name the platform stack creates. */
  readonly database: string;
  readonly sslmode: DatabaseSslMode;
}

/** `postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=MODE`, user and password URL-encoded by Terraform. */
export function databaseUrl(parts: DatabaseUrlParts): string {
  const credentials = Fn.jsondecode(parts.credentialsJson);
  const user = Fn.urlencode(Fn.lookup(credentials, 'username'));
  const password = Fn.urlencode(Fn.lookup(credentials, 'password'));
  return `postgres://${user}:${password}@${parts.endpoint}/${parts.database}?sslmode=${parts.sslmode}`;
}
