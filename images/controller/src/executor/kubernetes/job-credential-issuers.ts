/**
 * Which per-job credential issuer a cloud's trainers get (ARCHITECTURE.md, "Tenant isolation below the API"): a table
 * keyed by the cloud profile's `jobCredentials` mechanism; a cloud without one keeps its trainers on their workload
 * identity.
 */
import { JobCredentialMechanism } from '../../../../../constructs/platform/cloud-profile';
import { cloudProfile } from '../../../../../constructs/platform/cloud-profiles';
import { trainerJobServiceAccountEmail } from '../../../../../constructs/gcp/job-access-boundary';
import { AwsJobCredentialIssuer, trainerJobRoleArn } from './job-credentials-aws';
import { AzureJobCredentialIssuer } from './job-credentials-azure';
import { GcpJobCredentialIssuer } from './job-credentials-gcp';
import type { JobCredentialIssuer } from './job-credentials';
import type { KubernetesRunSettings } from './settings';

export interface IssuerContext {
  readonly settings: KubernetesRunSettings;
  /** The platform's name (the trainer-job role is named after it). */
  readonly platformName: string;
  /** The platform's Google Cloud project (the config's `gcp.project`): where the trainer-job service account lives. @default none */
  readonly project?: string;
  /**
   * The controller's environment: `AWS_ROLE_ARN` (IRSA) or `VPCTUNE_TRAINER_JOB_ROLE_ARN` on AWS;
   * `VPCTUNE_TRAINER_JOB_SERVICE_ACCOUNT` or `GOOGLE_CLOUD_PROJECT` on GCP; `AZURE_STORAGE_ACCOUNT_URL` (the Blob
   * endpoint, when not `https://ACCOUNT.blob.core.windows.net`) on Azure.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const ISSUERS: Readonly<Record<JobCredentialMechanism, (ctx: IssuerContext) => JobCredentialIssuer>> = {
  [JobCredentialMechanism.STS_SESSION_POLICY]: (ctx) => {
    const parsed = cloudProfile(ctx.settings.cloud).storage.parse(ctx.settings.bucketUri);
    if (parsed === undefined) throw new Error(`bucket ${JSON.stringify(ctx.settings.bucketUri)} is not an S3 URL; allowed: s3://BUCKET[/PREFIX]`);
    const explicit = ctx.env['VPCTUNE_TRAINER_JOB_ROLE_ARN'];
    const own = ctx.env['AWS_ROLE_ARN'];
    if ((explicit === undefined || explicit === '') && (own === undefined || own === '')) {
      throw new Error('per-job trainer credentials need the controller\'s role: AWS_ROLE_ARN (set by IRSA) or VPCTUNE_TRAINER_JOB_ROLE_ARN (arn:aws:iam::ACCOUNT:role/NAME-vpctune-trainer-job)');
    }
    const roleArn = explicit !== undefined && explicit !== '' ? explicit : trainerJobRoleArn(own as string, ctx.platformName);
    return new AwsJobCredentialIssuer({ roleArn, bucket: parsed.location.bucket, prefix: parsed.prefix, region: ctx.settings.region });
  },
  [JobCredentialMechanism.CREDENTIAL_ACCESS_BOUNDARY]: (ctx) => {
    const parsed = cloudProfile(ctx.settings.cloud).storage.parse(ctx.settings.bucketUri);
    if (parsed === undefined) throw new Error(`bucket ${JSON.stringify(ctx.settings.bucketUri)} is not a GCS URL; allowed: gs://BUCKET[/PREFIX]`);
    const explicit = ctx.env['VPCTUNE_TRAINER_JOB_SERVICE_ACCOUNT'];
    const project = ctx.project ?? ctx.env['GOOGLE_CLOUD_PROJECT'];
    if ((explicit === undefined || explicit === '') && (project === undefined || project === '')) {
      throw new Error('per-job trainer credentials need the trainer-job service account: VPCTUNE_TRAINER_JOB_SERVICE_ACCOUNT (NAME-tjb@PROJECT.iam.gserviceaccount.com) or the platform\'s project (gcp.project, GOOGLE_CLOUD_PROJECT)');
    }
    const serviceAccount = explicit !== undefined && explicit !== '' ? explicit : trainerJobServiceAccountEmail(ctx.platformName, project as string);
    return new GcpJobCredentialIssuer({ serviceAccount, bucket: parsed.location.bucket, prefix: parsed.prefix });
  },
  [JobCredentialMechanism.USER_DELEGATION_SAS]: (ctx) => {
    const parsed = cloudProfile(ctx.settings.cloud).storage.parse(ctx.settings.bucketUri);
    if (parsed === undefined || parsed.location.account === undefined) throw new Error(`bucket ${JSON.stringify(ctx.settings.bucketUri)} is not an Azure Blob URL; allowed: az://ACCOUNT/CONTAINER[/PREFIX]`);
    const endpoint = ctx.env['AZURE_STORAGE_ACCOUNT_URL'];
    return new AzureJobCredentialIssuer({
      account: parsed.location.account,
      container: parsed.location.bucket,
      prefix: parsed.prefix,
      ...(endpoint !== undefined && endpoint !== '' ? { accountUrl: endpoint } : {}),
    });
  },
};

/** The issuer of `ctx.settings.cloud`'s mechanism, or undefined where it has none. Throws when one is due but cannot be built. */
export function jobCredentialIssuerFor(ctx: IssuerContext): JobCredentialIssuer | undefined {
  const mechanism = cloudProfile(ctx.settings.cloud).jobCredentials;
  return mechanism === undefined ? undefined : ISSUERS[mechanism](ctx);
}
