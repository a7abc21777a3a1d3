/**
 * The one argv scanner behind every vpctune command: what it accepts, and the problems it reports as data (each
 * command words them; their exact messages are asserted in the command tests).
 */
import { lastValue, scanArgv } from '../../constructs/support/argv-scanner';
import { parseArgs, UsageError as ControllerUsageError } from '../../images/controller/src/cli/args';
import { parseFlags, UsageError } from '../../stacks/cli/args';

const SPEC = { values: ['--config', '--cloud'], switches: ['--json', '-h'] };

test('Given values split and inline, a switch, positionals and a repeated flag, then each lands where it belongs', () => {
  const s = scanArgv(['import', '--config', 'a.yaml', '--cloud=aws', '--json', 'extra', '--cloud', 'gcp', '-h'], SPEC);
  expect(s.problems).toEqual([]);
  expect(s.positionals).toEqual(['import', 'extra']);
  expect([...s.switches]).toEqual(['--json', '-h']);
  expect(s.values.get('--cloud')).toEqual(['aws', 'gcp']);
  expect(lastValue(s, '--cloud')).toBe('gcp');
  expect(lastValue(s, '--config')).toBe('a.yaml');
  expect(lastValue(s, '--nothing')).toBeUndefined();
});

test('Given an inline value that starts with -- or is empty, then it is the value; a switch ignores an inline value', () => {
  const s = scanArgv(['--config=--odd', '--cloud=', '--json=yes'], SPEC);
  expect(s.problems).toEqual([]);
  expect(s.values.get('--config')).toEqual(['--odd']);
  expect(s.values.get('--cloud')).toEqual(['']);
  expect(s.switches.has('--json')).toBe(true);
});

test('Given a value flag followed by another flag or at the end, and unknown flags, then every problem is reported in argument order and scanning goes on', () => {
  const s = scanArgv(['--config', '--json', '--colour', 'red', '--cloud'], SPEC);
  expect(s.problems).toEqual([
    { kind: 'missing-value', flag: '--config' },
    { kind: 'unknown', flag: '--colour', arg: '--colour' },
    { kind: 'missing-value', flag: '--cloud' },
  ]);
  expect(s.switches.has('--json')).toBe(true);
  expect(s.positionals).toEqual(['red']);
});

test('Given a command that takes no positionals, then a stray word is an unknown problem; single-dash words are positionals unless named', () => {
  expect(scanArgv(['stray', '--json'], { ...SPEC, positionals: false }).problems).toEqual([{ kind: 'unknown', flag: 'stray', arg: 'stray' }]);
  const s = scanArgv(['-5', '-h'], SPEC);
  expect(s.positionals).toEqual(['-5']);
  expect(s.switches.has('-h')).toBe(true);
});

describe("each command family words the scanner's problems as before", () => {
  test('validate/synth/platform (stacks/cli/args.ts): the first problem, prefixed with the command', () => {
    const spec = { config: 'string', today: 'string', strict: 'boolean' } as const;
    expect(parseFlags('validate', ['--config', 'a.yaml', '--strict', 'x'], spec)).toEqual({ config: 'a.yaml', strict: true, positionals: ['x'] });
    expect(() => parseFlags('validate', ['--colour'], spec)).toThrow(new UsageError('validate: unknown option --colour; allowed: --config, --today, --strict'));
    expect(() => parseFlags('validate', ['--config'], spec)).toThrow(new UsageError('validate: option --config needs a value'));
  });

  test('up/serve/demo/keys/models/jobs (images/controller/src/cli/args.ts): flags by bare name, the first problem', () => {
    expect(parseArgs(['create', '--project', 'p1', '--local'], ['project'], ['local'])).toEqual({ flags: { project: 'p1', local: true }, positionals: ['create'] });
    expect(() => parseArgs(['--port'], ['port'])).toThrow(new ControllerUsageError('--port needs a value'));
    expect(() => parseArgs(['--prot', '1'], ['port'], ['local'])).toThrow(new ControllerUsageError('unknown option --prot; allowed: --port, --local'));
  });
});
