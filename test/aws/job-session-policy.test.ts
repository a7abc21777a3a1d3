/**
 * The AWS session policy of one job's trainer credentials (constructs/aws/job-session-policy.ts): its exact content
 * (moto does not enforce IAM, so the document is the proof) and STS's 2,048-character limit with the longest ids the
 * API accepts.
 */
import { jobSessionPolicy, SESSION_POLICY_MAX_CHARS, SessionPolicyError } from '../../constructs/aws/job-session-policy';
import { adapterPrefix, fileKey, grantUnderPrefix, jobAccessGrant, jobOutputPrefix, modelPrefix } from '../../constructs/platform';

const JOB = 'ftjob-abc123';
const FINE_TUNED = 'meta-llama/Llama-3.1-8B:support:abc123';
const GRANT = jobAccessGrant(JOB, {
  base_model: modelPrefix('meta-llama/Llama-3.1-8B'),
  training_file: fileKey('file-train1'),
  validation_file: fileKey('file-valid1'),
  output_dir: jobOutputPrefix(JOB),
  fine_tuned_model: FINE_TUNED,
  publish_dir: adapterPrefix(FINE_TUNED),
});

describe('jobSessionPolicy', () => {
  test('GIVEN a LoRA job’s grant WHEN its session policy is built THEN it lists, reads and writes exactly the granted keys', () => {
    // WHEN
    const doc = jobSessionPolicy(GRANT, { bucket: 'acme-artifacts' });
    // THEN: packed JSON, these statements and nothing else (no delete, no bucket-wide resource)
    expect(doc).not.toMatch(/\s/);
    expect(JSON.parse(doc)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::acme-artifacts',
          Condition: { StringEquals: { 's3:prefix': ['files/file-train1', 'files/file-valid1', 'models/meta-llama/Llama-3.1-8B/', 'jobs/ftjob-abc123/output/'] } },
        },
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: [
            'arn:aws:s3:::acme-artifacts/files/file-train1',
            'arn:aws:s3:::acme-artifacts/files/file-valid1',
            'arn:aws:s3:::acme-artifacts/models/meta-llama/Llama-3.1-8B/*',
          ],
        },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], Resource: ['arn:aws:s3:::acme-artifacts/jobs/ftjob-abc123/output/*'] },
        { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: ['arn:aws:s3:::acme-artifacts/adapters/meta-llama/Llama-3.1-8B:support:abc123/*'] },
        { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' },
      ],
    });
  });

  test('GIVEN a bucket key prefix and the China partition WHEN the policy is built THEN ARNs carry both', () => {
    // WHEN
    const doc = JSON.parse(jobSessionPolicy(grantUnderPrefix(GRANT, 'team'), { bucket: 'acme-artifacts', partition: 'aws-cn' })) as { Statement: { Resource: string | string[] }[] };
    // THEN
    expect(doc.Statement[0]?.Resource).toBe('arn:aws-cn:s3:::acme-artifacts');
    expect(doc.Statement[1]?.Resource).toContain('arn:aws-cn:s3:::acme-artifacts/team/files/file-train1');
  });

  test('GIVEN the longest ids the API accepts WHEN the policy is built THEN it stays within STS’s 2,048 characters', () => {
    // GIVEN: a 63-character bucket (the stack's `<name>-artifacts-` plus Terraform's 26), no key prefix (the stacks
    // use none), a 193-character Hugging Face id (96/96), a 64-character suffix, the API's 29-character file ids
    const base = `${'n'.repeat(96)}/${'m'.repeat(96)}`;
    const fineTuned = `${base}:${'s'.repeat(64)}:0123abcd`;
    const job = `ftjob-${'j'.repeat(24)}`;
    const grant = jobAccessGrant(job, {
      base_model: modelPrefix(base),
      training_file: fileKey(`file-${'t'.repeat(24)}`),
      validation_file: fileKey(`file-${'v'.repeat(24)}`),
      output_dir: jobOutputPrefix(job),
      fine_tuned_model: fineTuned,
      publish_dir: modelPrefix(fineTuned),
    });
    // WHEN
    const doc = jobSessionPolicy(grant, { bucket: 'b'.repeat(63), partition: 'aws-us-gov' });
    // THEN
    expect(doc.length).toBe(1897);
    expect(doc.length).toBeLessThanOrEqual(SESSION_POLICY_MAX_CHARS);
  });

  test('GIVEN a grant whose document would pass 2,048 characters WHEN the policy is built THEN it is refused with its size', () => {
    // GIVEN: a key prefix of 200 characters on top of long ids
    const base = `${'n'.repeat(96)}/${'m'.repeat(96)}`;
    const grant = grantUnderPrefix(jobAccessGrant(JOB, { base_model: modelPrefix(base), training_file: fileKey('file-train1'), output_dir: jobOutputPrefix(JOB) }), 'p'.repeat(200));
    // WHEN / THEN
    expect(() => jobSessionPolicy(grant, { bucket: 'acme-artifacts' })).toThrow(
      new SessionPolicyError('session policy of job ftjob-abc123 is 2200 characters; allowed: at most 2048 (STS AssumeRole Policy); shorten the model or file ids'),
    );
  });
});
