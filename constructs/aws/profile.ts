import { Cloud } from '../catalog/types';
import { awsConfigIssues } from './config-rules';
import { JobCredentialMechanism, type CloudProfile, type StorageLocation } from '../platform/cloud-profile';
import { lettersAfterRegion } from '../platform/region-zones';
import { joinStorageUrl, splitStorageUrl, type StorageNameRule } from '../platform/storage-url';

const DNS_LABEL_32 = { pattern: /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/, allowed: '1-32 lowercase letters, digits and dashes, starting with a letter and not ending with a dash' };

/** S3 bucket names (general purpose buckets). */
const S3_BUCKET: StorageNameRule = {
  part: 'bucket',
  kind: 'an S3 bucket name',
  pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  allowed: '3-63 lowercase letters, digits, dots and dashes, starting and ending with a letter or digit',
};
const S3_URL_FORM = 's3://BUCKET[/PREFIX]';

/** AWS: EKS with IRSA, S3, the NVIDIA and EFA device plugins run by the platform. */
export const AWS_PROFILE: CloudProfile = {
  cloud: Cloud.AWS,
  title: 'AWS',
  region: { pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, example: 'us-east-1' },
  zone: (region) => lettersAfterRegion(region, ''),
  poolName: DNS_LABEL_32,
  acceptsAdminRoleArn: true,
  supportsNoEgress: true,
  storage: {
    scheme: 's3',
    urlForm: S3_URL_FORM,
    // The stack's bucket gets a random suffix (`<name>-artifacts-…`); this stands in until its output is known.
    defaultLocation: (platformName) => ({ bucket: `${platformName}-artifacts` }),
    url: (location: StorageLocation, prefix?: string) => joinStorageUrl('s3', [location.bucket], prefix),
    parse: (url) => {
      const split = splitStorageUrl('s3', S3_URL_FORM, [S3_BUCKET], url);
      return split === undefined ? undefined : { location: { bucket: split.names[0] as string }, prefix: split.prefix };
    },
  },
  workloadIdentity: {
    annotationKey: 'eks.amazonaws.com/role-arn',
    annotationMeaning: 'IAM role ARN (IRSA)',
    valuePattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/,
    valueAllowed: 'an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)',
    podLabels: {},
  },
  platformStack: {
    identityOutputPrefix: 'role',
    bucketOutput: 'bucket',
    apiServerUrl: (endpoint) => endpoint,
    credentialExec: (clusterName, region) => ({ apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['eks', 'get-token', '--cluster-name', clusterName, '--region', region] }),
    credentialTool: 'the AWS CLI v2 (aws eks get-token)',
  },
  jobCredentials: JobCredentialMechanism.STS_SESSION_POLICY,
  runsNvidiaDevicePlugin: true,
  supportsEfa: true,
  // boto3 and the AWS SDKs read the region from AWS_REGION (AWS_DEFAULT_REGION for older clients) and an S3
  // endpoint override from AWS_ENDPOINT_URL_S3.
  podEnv: ({ region, storageEndpoint }) => [
    { name: 'AWS_REGION', value: region },
    { name: 'AWS_DEFAULT_REGION', value: region },
    ...(storageEndpoint !== undefined ? [{ name: 'AWS_ENDPOINT_URL_S3', value: storageEndpoint }] : []),
  ],
  addedTaints: () => [],
  configIssues: awsConfigIssues,
};
