/**
 * The platform config's `serving` section: defaults, the pool it names, and whether the base model fits one node of
 * that pool with room for the KV cache (the estimator's model catalog; unknown models are not checked).
 */
import { platformConfigSchema } from '../../constructs/config/schema';
import { crossFieldIssues } from '../../constructs/config/rules';

const TODAY = { today: '2026-11-22' };
const POOLS = [
  { name: 'a10g', gpu: 'A10G', gpusPerNode: 1, maxNodes: 2 },
  { name: 'h100x8', gpu: 'H100', gpusPerNode: 8, maxNodes: 1 },
];
const servingIssues = (serving: unknown[]) => crossFieldIssues({ name: 'acme-ft', cloud: 'aws', region: 'us-east-1', gpuPools: POOLS, serving }, TODAY).filter((i) => i.path.startsWith('serving'));

test('GIVEN a serving entry with only model and pool WHEN parsed THEN replicas 1, maxLoras 4, maxLoraRank 16; no section is []', () => {
  // GIVEN / WHEN
  const entry = { model: 'meta-llama/Llama-3.1-8B-Instruct', pool: 'a10g' };
  const parsed = platformConfigSchema.shape.serving.parse([entry]);
  // THEN
  expect(parsed).toEqual([{ ...entry, replicas: 1, maxLoras: 4, maxLoraRank: 16 }]);
  expect(platformConfigSchema.shape.serving.parse(undefined)).toEqual([]);
});

test('GIVEN a maxLoraRank vLLM does not accept WHEN parsed THEN it is refused naming the ranks', () => {
  const result = platformConfigSchema.shape.serving.safeParse([{ model: 'm', pool: 'a10g', maxLoraRank: 24 }]);
  expect(result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['0.maxLoraRank', 'must be one of 1, 8, 16, 32, 64, 128, 256, 320, 512']]);
});

test('GIVEN an 8B model on one A10G and on 8 H100s WHEN validated THEN both fit', () => {
  expect(servingIssues([{ model: 'meta-llama/Llama-3.1-8B-Instruct', pool: 'a10g' }, { model: 'llama-3.1-70b', pool: 'h100x8' }])).toEqual([]);
});

test('GIVEN a 70B model on one A10G WHEN validated THEN it is refused with the memory it needs and the pool that would fit', () => {
  // GIVEN / WHEN
  const issues = servingIssues([{ model: 'meta-llama/Llama-3.1-70B-Instruct', pool: 'a10g' }]);
  // THEN
  expect(issues).toEqual([
    {
      path: 'serving[0].pool',
      value: 'a10g',
      message: 'meta-llama/Llama-3.1-70B-Instruct does not fit pool "a10g" (1 × A10G): it needs 133.0 GiB for bf16 weights and 4 adapters of rank 16, with 25% of the node\'s usable 21.6 GiB kept for the KV cache; pools that fit: h100x8',
    },
  ]);
});

test('GIVEN a 70B model and only small pools WHEN validated THEN the message names the smallest nodes that would fit', () => {
  const issues = crossFieldIssues({ name: 'acme-ft', cloud: 'aws', region: 'us-east-1', gpuPools: [POOLS[0]], serving: [{ model: 'llama-3.1-70b', pool: 'a10g' }] }, TODAY).filter((i) => i.path.startsWith('serving'));
  expect(issues.map((i) => i.message)).toEqual(['llama-3.1-70b does not fit pool "a10g" (1 × A10G): it needs 133.0 GiB for bf16 weights and 4 adapters of rank 16, with 25% of the node\'s usable 21.6 GiB kept for the KV cache; no pool of this config fits; one node with 8 × L40S or 8 × A100-40GB or 4 × A100-80GB or 4 × H100 would']);
});

test('GIVEN an unknown pool, a model listed twice and maxCpuLoras below maxLoras WHEN validated THEN each is named', () => {
  const issues = servingIssues([
    { model: 'org/private-model', pool: 'a10g', maxLoras: 8, maxCpuLoras: 4 },
    { model: 'org/private-model', pool: 'tpu' },
  ]);
  expect(issues).toEqual([
    { path: 'serving[0].maxCpuLoras', value: 4, message: '4 is below maxLoras (8); allowed: 8 or more' },
    { path: 'serving[1].model', value: 'org/private-model', message: '"org/private-model" is served twice; list each model once (use replicas for more servers)' },
    { path: 'serving[1].pool', value: 'tpu', message: '"tpu" is not a gpuPools name; allowed: a10g, h100x8' },
  ]);
});
