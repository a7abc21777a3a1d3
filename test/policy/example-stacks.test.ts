/**
 * The stacks vpctune synthesizes from its example configs pass every policy rule, with the public-endpoint option
 * taken from each config (kubernetes.publicEndpoint).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { Cloud } from '../../constructs/catalog';
import { loadConfigFile, ResolvedPlatformConfig } from '../../constructs/config';
import { evaluatePolicies, formatFindings, SynthesizedStack } from '../../constructs/policy';
import { addPlatformStacks } from '../../stacks/build-app';

const REPO = path.resolve(__dirname, '..', '..');
const TODAY = { today: '2026-11-22' };

function awsConfigs(): Array<[string, ResolvedPlatformConfig]> {
  const files = [
    ...fs.readdirSync(path.join(REPO, 'stacks', 'examples')).map((f) => path.join('stacks', 'examples', f)),
    path.join('test', 'fixtures', 'configs', 'emulator-full.yaml'),
  ];
  return files
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => [f, loadConfigFile(path.join(REPO, f), TODAY)] as [string, ResolvedPlatformConfig])
    .filter(([, c]) => c.cloud === Cloud.AWS);
}

function synthesize(config: ResolvedPlatformConfig): SynthesizedStack {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-policy-'));
  const app = new App({ outdir });
  addPlatformStacks(app, [config]);
  app.synth();
  const [stack] = fs.readdirSync(path.join(outdir, 'stacks'));
  return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack!, 'cdk.tf.json'), 'utf8')) as SynthesizedStack;
}

describe('policy rules on the example stacks', () => {
  const configs = awsConfigs();

  test('there are AWS example configs to check, one with a public endpoint', () => {
    expect(configs.length).toBeGreaterThanOrEqual(3);
    expect(configs.some(([, c]) => c.kubernetes.publicEndpoint)).toBe(true);
  });

  test.each(configs)('%s synthesizes a stack with no findings', (_file, config) => {
    const findings = evaluatePolicies(synthesize(config), { allowPublicEndpoint: config.kubernetes.publicEndpoint });
    expect(formatFindings(findings)).toBe('policy: no findings');
  });

  test('a public-endpoint stack checked as if the config forbade it fires VPCT-AWS-002 only', () => {
    const [, config] = configs.find(([, c]) => c.kubernetes.publicEndpoint)!;
    const findings = evaluatePolicies(synthesize(config), { allowPublicEndpoint: false });
    expect(findings.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([
      'VPCT-AWS-002: endpoint_public_access = true: the API endpoint is public but the platform config does not allow it (kubernetes.publicEndpoint: false)',
    ]);
  });
});
