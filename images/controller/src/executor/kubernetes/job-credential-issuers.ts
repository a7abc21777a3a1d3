/**
 * Which per-job credential issuer a cloud's trainers get (ARCHITECTURE.md, "Tenant isolation below the API"): a table,
 * one entry per cloud that has one. AWS only so far; on GCP and Azure trainers still use their workload identity.
 */
import type { Cloud } from '../../../../../constructs/catalog';
import { cloudProfile } from '../../../../../constructs/platform/cloud-profiles';
import { AwsJobCredentialIssuer, trainerJobRoleArn } from './job-credentials-aws';
import type { JobCredentialIssuer } from './job-credentials';
import type { KubernetesRunSettings } from './settings';

export interface IssuerContext {
  readonly settings: KubernetesRunSettings;
  /** The platform's name (the trainer-job role is named after it). */
  readonly platformName: string;
  /** The controller's environment: `AWS_ROLE_ARN` (IRSA) or `VPCTUNE_TRAINER_JOB_ROLE_ARN`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const ISSUERS: Readonly<Partial<Record<Cloud, (ctx: IssuerContext) => JobCredentialIssuer>>> = {
  aws: (ctx) => {
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
};

/** The issuer of `ctx.settings.cloud`, or undefined where the cloud has none yet. Throws when one is due but cannot be built. */
export function jobCredentialIssuerFor(ctx: IssuerContext): JobCredentialIssuer | undefined {
  return ISSUERS[ctx.settings.cloud]?.(ctx);
}
