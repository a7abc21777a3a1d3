/**
 * Runs the policy rules over one synthesized stack and formats the findings.
 *
 *   const findings = evaluatePolicies(Testing.synth(stack), { allowPublicEndpoint: config.kubernetes.publicEndpoint });
 *   if (findings.length > 0) throw new Error(formatFindings(findings));
 */
import { POLICY_RULES } from './rules';
import { StackModel } from './stack-model';
import { Finding, PolicyOptions, PolicyRule, SynthesizedStack } from './types';

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];

/** Code-point order: the same on every machine, whatever the locale. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Evaluates every rule (or the given ones) over a stack: the parsed `cdk.tf.json` or its text. Findings are sorted by
 * rule id, then address, then message (code-point order). A stack without AWS resources has no findings.
 */
export function evaluatePolicies(
  stack: SynthesizedStack | string,
  options: PolicyOptions = {},
  rules: readonly PolicyRule[] = POLICY_RULES,
): Finding[] {
  const json = typeof stack === 'string' ? (JSON.parse(stack) as SynthesizedStack) : stack;
  const model = new StackModel(json);
  const resolved: Required<PolicyOptions> = { allowPublicEndpoint: options.allowPublicEndpoint ?? false };
  const findings: Finding[] = [];
  for (const rule of rules) {
    for (const f of rule.check(model, resolved)) {
      const constructPath = model.constructPath(f.address);
      findings.push({ ruleId: rule.id, severity: rule.severity, address: f.address, message: f.message, ...(constructPath !== undefined ? { constructPath } : {}) });
    }
  }
  return findings.sort((a, b) => cmp(a.ruleId, b.ruleId) || cmp(a.address, b.address) || cmp(a.message, b.message));
}

/** One line per finding (`VPCT-AWS-007 high aws_launch_template.gpu (stack/gpu/lt): message`) and a summary line. */
export function formatFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'policy: no findings';
  const counts = SEVERITY_ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const lines = findings.map((f) => `${f.ruleId} ${f.severity} ${f.address}${f.constructPath !== undefined ? ` (${f.constructPath})` : ''}: ${f.message}`);
  return [...lines, `policy: ${findings.length} finding(s): ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}`].join('\n');
}

/** A table of the rules (id, severity, title, rationale), e.g. for docs or `--help`. */
export function describeRules(rules: readonly PolicyRule[] = POLICY_RULES): string {
  return rules.map((r) => `${r.id} [${r.severity}] ${r.title}: ${r.rationale}`).join('\n');
}
