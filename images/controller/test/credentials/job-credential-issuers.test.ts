/**
 * Which per-job credential issuer `vpctune serve` gives the executor (job-credential-issuers.ts): AWS derives the
 * trainer-job role from the controller's IRSA role and scopes sessions to the storage URL's bucket and prefix; a
 * missing role is a clear error; GCP downscopes the trainer-job service account named from the project; clouds
 * Azure signs user delegation SAS tokens for the storage URL's account and container.
 */
import * as path from 'node:path';
import { loadConfigFile } from '../../../../constructs/config';
import { adapterPrefix, fileKey, jobAccessGrant, jobOutputPrefix, modelPrefix } from '../../../../constructs/platform';
import { jobCredentialIssuerFor } from '../../src/executor/kubernetes/job-credential-issuers';
import { AwsJobCredentialIssuer } from '../../src/executor/kubernetes/job-credentials-aws';
import { AzureJobCredentialIssuer } from '../../src/executor/kubernetes/job-credentials-azure';
import { GcpJobCredentialIssuer } from '../../src/executor/kubernetes/job-credentials-gcp';
import { settingsFromConfig } from '../../src/executor/kubernetes/settings';

const fixture = (cloud: string) => loadConfigFile(path.join(__dirname, '..', 'fixtures', 'kubernetes', `platform-${cloud}.yaml`));
const GRANT = jobAccessGrant('ftjob-1', { base_model: modelPrefix('acme/base'), training_file: fileKey('file-1'), output_dir: jobOutputPrefix('ftjob-1'), fine_tuned_model: 'acme/base:x:1', publish_dir: adapterPrefix('acme/base:x:1') });

describe('jobCredentialIssuerFor', () => {
  test('GIVEN an AWS platform under IRSA WHEN the issuer is chosen THEN sessions are scoped to the storage URL’s bucket and prefix', () => {
    // GIVEN
    const config = fixture('aws');
    const settings = settingsFromConfig(config, { bucketUri: 's3://acme-artifacts-1/team', trainerImage: 'r/t:1' });
    // WHEN
    const issuer = jobCredentialIssuerFor({ settings, platformName: config.name, env: { AWS_ROLE_ARN: `arn:aws:iam::123456789012:role/${config.name}-vpctune-controller` } });
    // THEN
    expect(issuer).toBeInstanceOf(AwsJobCredentialIssuer);
    const policy = JSON.parse((issuer as AwsJobCredentialIssuer).sessionPolicy(GRANT)) as { Statement: { Resource: unknown }[] };
    expect(policy.Statement[1]?.Resource).toEqual(['arn:aws:s3:::acme-artifacts-1/team/files/file-1', 'arn:aws:s3:::acme-artifacts-1/team/models/acme/base/*']);
  });

  test('GIVEN an AWS platform without the controller’s role WHEN the issuer is chosen THEN the error names both variables', () => {
    // GIVEN
    const config = fixture('aws');
    const settings = settingsFromConfig(config, { bucketUri: 's3://acme-artifacts-1', trainerImage: 'r/t:1' });
    // WHEN / THEN
    expect(() => jobCredentialIssuerFor({ settings, platformName: config.name, env: {} })).toThrow(
      "per-job trainer credentials need the controller's role: AWS_ROLE_ARN (set by IRSA) or VPCTUNE_TRAINER_JOB_ROLE_ARN (arn:aws:iam::ACCOUNT:role/NAME-vpctune-trainer-job)",
    );
  });

  test('GIVEN a GCP platform with its project (config or environment) WHEN the issuer is chosen THEN tokens downscope the trainer-job account to the storage URL’s bucket and prefix', () => {
    // GIVEN
    const config = fixture('gcp');
    const settings = settingsFromConfig(config, { bucketUri: 'gs://acme-artifacts/team', trainerImage: 'r/t:1' });
    // WHEN
    const issuer = jobCredentialIssuerFor({ settings, platformName: config.name, project: config.gcp?.project, env: {} });
    const fromEnv = jobCredentialIssuerFor({ settings, platformName: config.name, env: { GOOGLE_CLOUD_PROJECT: 'proj-1' } });
    // THEN
    expect(issuer).toBeInstanceOf(GcpJobCredentialIssuer);
    expect((issuer as GcpJobCredentialIssuer).serviceAccount).toBe(`${config.name}-tjb@${config.gcp?.project}.iam.gserviceaccount.com`);
    expect((fromEnv as GcpJobCredentialIssuer).serviceAccount).toBe(`${config.name}-tjb@proj-1.iam.gserviceaccount.com`);
    expect((issuer as GcpJobCredentialIssuer).accessBoundary(GRANT).accessBoundary.accessBoundaryRules[0]?.availabilityCondition.expression).toBe(
      "resource.name == 'projects/_/buckets/acme-artifacts/objects/team/files/file-1'",
    );
  });

  test('GIVEN a GCP platform without project or account WHEN the issuer is chosen THEN the error names both variables', () => {
    // GIVEN
    const config = fixture('gcp');
    const settings = settingsFromConfig(config, { bucketUri: 'gs://acme-artifacts', trainerImage: 'r/t:1' });
    // WHEN / THEN
    expect(() => jobCredentialIssuerFor({ settings, platformName: config.name, env: {} })).toThrow(
      "per-job trainer credentials need the trainer-job service account: VPCTUNE_TRAINER_JOB_SERVICE_ACCOUNT (NAME-tjb@PROJECT.iam.gserviceaccount.com) or the platform's project (gcp.project, GOOGLE_CLOUD_PROJECT)",
    );
  });

  test('GIVEN an Azure platform WHEN the issuer is chosen THEN SAS tokens are signed for the storage URL’s account, container and prefix', () => {
    // GIVEN
    const config = fixture('azure');
    const settings = settingsFromConfig(config, { bucketUri: 'az://acmeartifacts/artifacts/team', trainerImage: 'r/t:1' });
    // WHEN
    const issuer = jobCredentialIssuerFor({ settings, platformName: config.name, env: {} });
    // THEN
    expect(issuer).toBeInstanceOf(AzureJobCredentialIssuer);
    const key = { signedObjectId: 'o', signedTenantId: 't', signedStartsOn: new Date(0), signedExpiresOn: new Date(7_200_000), signedService: 'b', signedVersion: '2025-01-05', value: 'a2V5' };
    const doc = (issuer as AzureJobCredentialIssuer).sasDocument(GRANT, key, new Date(0), new Date(3_600_000));
    expect([doc.account, doc.container, doc.entries[0]?.prefix]).toEqual(['acmeartifacts', 'artifacts', 'team/files/file-1']);
  });
});
