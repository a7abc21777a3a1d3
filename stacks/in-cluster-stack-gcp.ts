import { DataGoogleSecretManagerSecretVersion } from '@cdktf/provider-google/lib/data-google-secret-manager-secret-version';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import type { TerraformRemoteState } from 'cdktf';
import type { ResolvedPlatformConfig } from '../constructs/config';
import { CLOUD_SQL_DATABASE } from '../constructs/gcp/database';
import { InClusterStack } from './in-cluster-stack';
import { DatabaseSslMode, type DatabaseUrlParts } from './in-cluster-stack-database';

/**
 * The TLS mode the controller reaches Cloud SQL with: `require` (encrypted, server not verified). The instance takes
 * only encrypted connections (`ENCRYPTED_ONLY`) on a private IP inside the VPC, but its server certificate is signed by
 * the instance's own CA and names the instance, not the IP, so `verify-full` against `database_endpoint` cannot pass.
 */
export const CLOUD_SQL_SSLMODE = DatabaseSslMode.REQUIRE;

/**
 * The GCP in-cluster stack: the database URL Secret from Cloud SQL's password in Secret Manager (output
 * `database_secret_id`, `projects/P/secrets/NAME`; its latest version is `{"username", "password"}`), read by
 * `data google_secret_manager_secret_version` with the provider set up as the platform stack's (project, region;
 * Application Default Credentials). The deployer needs `secretmanager.versions.access` on that secret; the password is
 * in this stack's state (keep it in the GCS backend, `state:`), and a new password needs a re-apply.
 */
export class GcpInClusterStack extends InClusterStack {
  protected override databaseUrlParts(config: ResolvedPlatformConfig, state: TerraformRemoteState, outputs: ReadonlySet<string>): DatabaseUrlParts | undefined {
    if (!outputs.has('database_endpoint') || !outputs.has('database_secret_id')) return undefined;
    if (config.gcp === undefined) throw new Error(`GcpInClusterStack: config ${config.name} has no gcp.project`);
    new GoogleProvider(this, 'google', { project: config.gcp.project, region: config.region });
    const version = new DataGoogleSecretManagerSecretVersion(this, 'database-credentials', { secret: state.getString('database_secret_id') });
    return { credentialsJson: version.secretData, endpoint: state.getString('database_endpoint'), database: CLOUD_SQL_DATABASE.name, sslmode: CLOUD_SQL_SSLMODE };
  }
}
