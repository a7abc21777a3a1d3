/** The AWS rule on IAM policies (VPCT-AWS-010): no statement grants every action on every resource. */
import { Block, blocks, Statement, stringList } from './stack-model';
import { PolicyRule, RuleFinding, Severity } from './types';

const q = (v: unknown): string => JSON.stringify(v);

// ---------------------------------------------------------------------------------------------------------------
// VPCT-AWS-010 no wildcard IAM

const INLINE_POLICY_RESOURCES: ReadonlyArray<readonly [string, string]> = [
  ['aws_iam_policy', 'policy'],
  ['aws_iam_role_policy', 'policy'],
  ['aws_iam_user_policy', 'policy'],
  ['aws_iam_group_policy', 'policy'],
];

const POLICY_ATTACHMENTS: ReadonlyArray<readonly [string, string]> = [
  ['aws_iam_role_policy_attachment', 'policy_arn'],
  ['aws_iam_user_policy_attachment', 'policy_arn'],
  ['aws_iam_group_policy_attachment', 'policy_arn'],
  ['aws_iam_policy_attachment', 'policy_arn'],
  ['aws_iam_role', 'managed_policy_arns'],
];

const ADMIN_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/;

function wildcardStatements(statements: readonly Statement[]): string[] {
  const out: string[] = [];
  statements.forEach((s, i) => {
    if (s.effect !== 'Allow') return;
    const anyAction = (s.actions ?? []).some((a) => a === '*' || a === '*:*');
    const anyResource = (s.resources ?? []).includes('*');
    if (anyAction && anyResource) out.push(`statement ${i}${s.sid !== undefined ? ` (Sid ${q(s.sid)})` : ''} allows Action "*" on Resource "*"`);
  });
  return out;
}

export const NO_WILDCARD_IAM: PolicyRule = {
  id: 'VPCT-AWS-010',
  title: 'No IAM statement allows every action on every resource',
  rationale: 'Action "*" on Resource "*" is account administrator; a compromised pod or node would own the account (CIS AWS 1.16).',
  severity: Severity.CRITICAL,
  check(stack) {
    const findings: RuleFinding[] = [];
    const inline: Array<[Block, unknown, string]> = [];
    for (const [type, attr] of INLINE_POLICY_RESOURCES) for (const b of stack.resources(type)) inline.push([b, b.attrs[attr], attr]);
    for (const role of stack.resources('aws_iam_role')) {
      blocks(role.attrs['inline_policy']).forEach((p, i) => inline.push([role, p['policy'], `inline_policy[${i}].policy`]));
    }
    for (const [b, value, attr] of inline) {
      // Documents from data sources are checked once, at the data source; unreadable expressions are apply-time values.
      const doc = stack.policyDocument(value);
      if (doc.kind === 'unknown' || doc.source !== 'literal JSON') continue;
      for (const w of wildcardStatements(doc.statements)) findings.push({ address: b.address, message: `${attr}: ${w}` });
    }
    for (const doc of stack.dataSources('aws_iam_policy_document')) {
      const own = blocks(doc.attrs['statement']).length;
      const statements = stack.documentStatements(doc);
      // Only the document's own statements (the last `own` ones): pulled-in documents are reported where defined.
      for (const w of wildcardStatements(statements.slice(statements.length - own))) findings.push({ address: doc.address, message: w });
    }
    for (const [type, attr] of POLICY_ATTACHMENTS) {
      for (const b of stack.resources(type)) {
        for (const arn of stringList(b.attrs[attr])) {
          if (ADMIN_POLICY.test(arn)) findings.push({ address: b.address, message: `${attr} attaches AdministratorAccess (Action "*" on Resource "*")` });
        }
      }
    }
    return findings;
  },
};
