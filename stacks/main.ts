/**
 * The cdktf app (`cdktf.json` → `node dist/stacks/main.js`, after `npm run build`). Config files come from VPCTUNE_CONFIG
 * (comma-separated paths); default: the bundled example with every accelerator on AWS.
 * Exit 2 for a config error or a config this app cannot build (README.md, "Exit codes").
 */
import { ConfigError } from '../constructs/config';
import { buildApp, DEFAULT_CONFIG, synthesize, UnbuildableConfigError } from './build-app';

const files = (process.env.VPCTUNE_CONFIG ?? DEFAULT_CONFIG).split(',').map((f) => f.trim()).filter((f) => f.length > 0);
try {
  synthesize(buildApp(files, process.env.CDKTF_OUTDIR ?? 'cdktf.out'));
} catch (err) {
  if (err instanceof ConfigError || err instanceof UnbuildableConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
