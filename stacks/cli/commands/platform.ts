/** `platform values` and `platform render`: the chart's values for a platform, and the manifests the chart installs. */
import { Command } from 'commander';
import { collect, declareCommand, envOption, runsWith, type CommandContext } from '../program';
import { UsageError } from '../usage-error';

/* eslint-disable @typescript-eslint/no-require-imports -- each command's implementation loads only when it runs */

type ValuesFlags = { config?: string; outputs?: string; identity?: string[]; roleArn?: string[]; today?: string };

/** The flags `values` and `render` share: the config, the stack outputs and identity overrides. */
function withValuesFlags(command: Command): Command {
  return command
    .option('--config <file>', 'the platform config (YAML)')
    .option('--outputs <file>', "the platform stack's outputs, as `terraform output -json` writes them (default: none; registry, bucket and identities are placeholders)")
    .option('--identity <account=value>', "a service account's cloud identity (IAM role ARN, Google service account email, managed identity client id), over the outputs'; repeatable", collect)
    .option('--role-arn <account=arn>', 'AWS: the same as --identity with an IAM role ARN; repeatable', collect)
    .option('--today <YYYY-MM-DD>', 'evaluate date rules (Kubernetes support windows) as of this day (default: today)');
}

function valuesOptions(o: ValuesFlags) {
  if (o.config === undefined) throw new UsageError('--config FILE is required');
  return { config: o.config, ...(o.outputs !== undefined ? { outputs: o.outputs } : {}), identities: o.identity ?? [], roleArns: o.roleArn ?? [], ...(o.today !== undefined ? { today: o.today } : {}) };
}

export function platformCommand(context: CommandContext): Command {
  const values = withValuesFlags(
    declareCommand(
      'values',
      "write the vpctune chart's values (YAML) from the platform config and the stack outputs, for Argo CD, Flux or helm install -f",
      'vpctune platform values --config vpctune.yaml --outputs outputs.json --out vpctune-values.yaml',
    ),
  )
    .option('--out <file>', 'write the values to this file (default: stdout)')
    .action(
      runsWith(context, async (command) => {
        const o = command.opts<ValuesFlags & { out?: string }>();
        const { runPlatformValues } = require('../platform-values') as typeof import('../platform-values');
        return runPlatformValues({ ...valuesOptions(o), ...(o.out !== undefined ? { out: o.out } : {}) }, context.io);
      }),
    );
  const render = withValuesFlags(
    declareCommand(
      'render',
      'print the manifests the vpctune chart installs for this platform (helm template with the values of platform values); needs helm',
      'vpctune platform render --config stacks/examples/design-sketch.yaml --identity vpctune-trainer=arn:aws:iam::123456789012:role/acme-ft-trainer',
    ),
  )
    .addOption(envOption('--helm <path>', 'the helm binary (default: helm on PATH)', 'VPCTUNE_HELM'))
    .action(
      runsWith(context, async (command) => {
        const o = command.opts<ValuesFlags & { helm?: string }>();
        const { runPlatformRender } = require('../platform-render') as typeof import('../platform-render');
        return runPlatformRender({ ...valuesOptions(o), ...(o.helm !== undefined ? { flag: o.helm } : {}) }, context.io);
      }),
    );
  return declareCommand('platform', "the in-cluster layer: the vpctune chart's values (platform values) and its manifests (platform render)", 'vpctune platform values --config vpctune.yaml --outputs outputs.json')
    .addCommand(values)
    .addCommand(render);
}
