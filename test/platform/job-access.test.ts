/**
 * One job's storage grant (constructs/platform/job-access.ts): exactly the keys its spec names, never a whole prefix,
 * and a spec that would widen it is refused with the field, the value and the allowed form.
 */
import { adapterPrefix, fileKey, grantUnderPrefix, JobAccessError, jobAccessGrant, jobOutputPrefix, modelPrefix, type JobStorageSpec } from '../../constructs/platform';

const JOB = 'ftjob-abc123';
const FINE_TUNED = 'meta-llama/Llama-3.1-8B:support:abc123';
const SPEC: JobStorageSpec = {
  base_model: modelPrefix('meta-llama/Llama-3.1-8B'),
  training_file: fileKey('file-train1'),
  validation_file: fileKey('file-valid1'),
  output_dir: jobOutputPrefix(JOB),
  fine_tuned_model: FINE_TUNED,
  publish_dir: adapterPrefix(FINE_TUNED),
};

describe('jobAccessGrant', () => {
  test('GIVEN a LoRA job with a validation file WHEN its grant is computed THEN it names only that job’s keys', () => {
    // WHEN
    const grant = jobAccessGrant(JOB, SPEC);
    // THEN
    expect(grant).toEqual({
      jobId: JOB,
      readObjects: ['files/file-train1', 'files/file-valid1'],
      readPrefixes: ['models/meta-llama/Llama-3.1-8B/', 'jobs/ftjob-abc123/output/'],
      writePrefixes: ['jobs/ftjob-abc123/output/', 'adapters/meta-llama/Llama-3.1-8B:support:abc123/'],
      listPrefixes: ['files/file-train1', 'files/file-valid1', 'models/meta-llama/Llama-3.1-8B/', 'jobs/ftjob-abc123/output/'],
    });
  });

  test('GIVEN a full fine-tune without validation file or publish dir WHEN its grant is computed THEN models/<fine-tuned>/ is written only when published', () => {
    // GIVEN
    const { validation_file: _v, publish_dir: _p, ...bare } = SPEC;
    void _v;
    void _p;
    // WHEN
    const unpublished = jobAccessGrant(JOB, bare);
    const full = jobAccessGrant(JOB, { ...bare, publish_dir: modelPrefix(FINE_TUNED) });
    // THEN
    expect(unpublished.readObjects).toEqual(['files/file-train1']);
    expect(unpublished.writePrefixes).toEqual(['jobs/ftjob-abc123/output/']);
    expect(full.writePrefixes).toEqual(['jobs/ftjob-abc123/output/', 'models/meta-llama/Llama-3.1-8B:support:abc123/']);
  });

  test.each([
    ['output_dir of another job', { output_dir: jobOutputPrefix('ftjob-other') }, 'trainer spec output_dir "jobs/ftjob-other/output/" is not job ftjob-abc123\'s output directory; allowed: jobs/ftjob-abc123/output/'],
    ['the whole files/ prefix', { training_file: 'files/' }, 'trainer spec training_file "files/" is not a key the trainer may be granted; allowed: files/<file id>'],
    ['a wildcard file id', { validation_file: 'files/file-*' }, 'trainer spec validation_file "files/file-*" is not a key the trainer may be granted; allowed: files/<file id>'],
    ['a policy variable', { training_file: 'files/${aws:username}' }, 'trainer spec training_file "files/${aws:username}" is not a key the trainer may be granted; allowed: files/<file id>'],
    ['a file outside files/', { training_file: 'jobs/ftjob-other/output/events.jsonl' }, 'trainer spec training_file "jobs/ftjob-other/output/events.jsonl" is not a key the trainer may be granted; allowed: files/<file id>'],
    ['the whole models/ prefix', { base_model: 'models/' }, 'trainer spec base_model "models/" is not a key the trainer may be granted; allowed: models/<model id>/'],
    ['a model path climbing out', { base_model: 'models/a/../../files/' }, 'trainer spec base_model "models/a/../../files/" is not a key the trainer may be granted; allowed: models/<model id>/'],
    ['a model without its trailing slash', { base_model: 'models/meta-llama/Llama-3.1-8B' }, 'trainer spec base_model "models/meta-llama/Llama-3.1-8B" is not a key the trainer may be granted; allowed: models/<model id>/'],
    ['another model’s publish dir', { publish_dir: adapterPrefix('someone/else:x:y') }, 'trainer spec publish_dir "adapters/someone/else:x:y/" is not the fine-tuned model\'s directory; allowed: adapters/meta-llama/Llama-3.1-8B:support:abc123/ or models/meta-llama/Llama-3.1-8B:support:abc123/'],
    ['a publish dir without a fine-tuned model', { fine_tuned_model: undefined }, 'trainer spec publish_dir "adapters/meta-llama/Llama-3.1-8B:support:abc123/" is not the fine-tuned model\'s directory; allowed: a publish_dir only beside fine_tuned_model'],
  ] as const)('GIVEN %s WHEN the grant is computed THEN it is refused naming the field', (_what, change, message) => {
    // GIVEN
    const spec = { ...SPEC, ...change } as JobStorageSpec;
    // WHEN / THEN
    expect(() => jobAccessGrant(JOB, spec)).toThrow(new JobAccessError(message));
  });

  test('GIVEN a job id with a wildcard WHEN its grant is computed THEN it is refused', () => {
    // WHEN / THEN
    expect(() => jobAccessGrant('ftjob-*', { ...SPEC, output_dir: 'jobs/ftjob-*/output/' })).toThrow(
      new JobAccessError('job id "ftjob-*" cannot name a grant; allowed: letters, digits, \'.\', \'_\' and \'-\' (at most 128)'),
    );
  });
});

describe('grantUnderPrefix', () => {
  test('GIVEN a bucket with a key prefix WHEN the grant is moved under it THEN every key gains it once', () => {
    // GIVEN
    const grant = jobAccessGrant(JOB, SPEC);
    // WHEN
    const moved = grantUnderPrefix(grant, '/tenant-data/');
    // THEN
    expect(moved.readObjects).toEqual(['tenant-data/files/file-train1', 'tenant-data/files/file-valid1']);
    expect(moved.writePrefixes).toEqual(['tenant-data/jobs/ftjob-abc123/output/', 'tenant-data/adapters/meta-llama/Llama-3.1-8B:support:abc123/']);
    expect(grantUnderPrefix(grant, '')).toBe(grant);
    expect(() => grantUnderPrefix(grant, 'a*')).toThrow(new JobAccessError('bucket prefix "a*" cannot be granted; allowed: no \'*\', \'?\' or \'$\''));
  });
});
