/** The exit codes every `vpctune` command keeps (README.md, "Exit codes"). */
export enum ExitCode {
  OK = 0,
  /** Something failed at run time (a job, the network, a store). */
  FAILURE = 1,
  /** A usage or config error the user can fix: a flag, a value, a config file. */
  USAGE = 2,
  /** `synth` (and `validate --policy`): the policy rules found something. */
  POLICY_FINDINGS = 3,
}

/** Input the user can fix (a flag, a value, a missing argument): printed as `vpctune <command>: <message>`, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
