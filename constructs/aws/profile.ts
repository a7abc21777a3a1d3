import { Cloud } from '../catalog/types';
import type { CloudProfile, StorageLocation } from '../platform/cloud-profile';

const DNS_LABEL_32 = { pattern: /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/, allowed: '1-32 lowercase letters, digits and dashes, starting with a letter and not ending with a dash' };

/** AWS: EKS with IRSA, S3, the NVIDIA and EFA device plugins run by the platform. */
export const AWS_PROFILE: CloudProfile = {
  cloud: Cloud.AWS,
  title: 'AWS',
  region: { pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, example: 'us-east-1' },
  poolName: DNS_LABEL_32,
  storage: {
    scheme: 's3',
    urlForm: 's3://BUCKET[/PREFIX]',
    defaultLocation: (platformName) => ({ bucket: `${platformName}-artifacts` }),
    url: (location: StorageLocation) => `s3://${location.bucket}`,
    parse: (url) => {
      const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
      return m === null ? undefined : { location: { bucket: m[1] as string }, prefix: (m[2] ?? '').replace(/\/+$/, '') };
    },
  },
  workloadIdentity: {
    annotationKey: 'eks.amazonaws.com/role-arn',
    annotationMeaning: 'IAM role ARN (IRSA)',
    valuePattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/,
    valueAllowed: 'an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)',
    podLabels: {},
  },
  runsNvidiaDevicePlugin: true,
  supportsEfa: true,
  podEnv: ({ region }) => [{ name: 'AWS_REGION', value: region }, { name: 'AWS_DEFAULT_REGION', value: region }],
  addedTaints: () => [],
};
