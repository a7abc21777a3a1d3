/**
 * Tenant isolation below the API (ARCHITECTURE.md): a trainer pod's own identity holds no bucket access; it works
 * with its job's downscoped credentials only. Same engine and unknown-value stance as rules.ts.
 */
import { PLATFORM_NAMESPACE, ServiceAccount } from '../platform/conventions';
import type { Block, StackModel } from './stack-model';
import { blocks, stringList } from './stack-model';
import { PolicyRule, RuleFinding, Severity } from './types';

const TRAINER_SUBJECT = `system:serviceaccount:${PLATFORM_NAMESPACE}:${ServiceAccount.TRAINER}`;

/** Roles a web identity (IRSA) assumes as the trainer's Kubernetes service account. */
function trainerRoles(stack: StackModel): Block[] {
  return stack.resources('aws_iam_role').filter((role) => {
    const raw = role.attrs['assume_role_policy'];
    const trust = stack.policyDocument(raw);
    if (trust.kind === 'unknown') {
      // An IRSA trust keys its condition on `${replace(<issuer>, "https://", "")}:sub`, which cdktf writes unescaped
      // into the JSON string: not parseable, but the action and the subject are literal text.
      return typeof raw === 'string' && raw.includes('"sts:AssumeRoleWithWebIdentity"') && raw.includes(`:sub":"${TRAINER_SUBJECT}"`);
    }
    return trust.statements.some(
      (s) => s.effect === 'Allow' && (s.actions ?? []).includes('sts:AssumeRoleWithWebIdentity') && s.conditions.some((c) => c.variable.endsWith(':sub') && c.values.includes(TRAINER_SUBJECT)),
    );
  });
}

/** Actions of a statement list that reach S3 objects or buckets. */
function bucketActions(actions: readonly string[]): string[] {
  return actions.filter((a) => a === '*' || a.toLowerCase().startsWith('s3:'));
}

export const TRAINER_IDENTITY_NO_BUCKET_ACCESS: PolicyRule = {
  id: 'VPCT-AWS-025',
  title: "The trainer's service-account role has no bucket access",
  rationale: "One compromised trainer (or its stolen service-account token) must not reach every project's files and adapters; trainers get per-job session credentials from the controller.",
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const role of trainerRoles(stack)) {
      const inline: Array<[string, unknown]> = blocks(role.attrs['inline_policy']).map((p, i) => [`${role.address} inline_policy[${i}]`, p['policy']]);
      for (const p of stack.attachedTo('aws_iam_role_policy', 'role', role, 'name')) inline.push([p.address, p.attrs['policy']]);
      for (const [address, value] of inline) {
        const doc = stack.policyDocument(value);
        if (doc.kind === 'unknown') continue; // known at apply time only
        const actions = doc.statements.filter((s) => s.effect === 'Allow').flatMap((s) => bucketActions(s.actions ?? []));
        if (actions.length > 0) findings.push({ address, message: `gives the trainer's role ${role.address} ${[...new Set(actions)].join(', ')}; the trainer's identity holds no bucket access (per-job credentials from the controller)` });
      }
      for (const a of stack.attachedTo('aws_iam_role_policy_attachment', 'role', role, 'name')) {
        findings.push({ address: a.address, message: `attaches ${JSON.stringify(a.attrs['policy_arn'])} to the trainer's role ${role.address}; the trainer's identity holds no policy (per-job credentials from the controller)` });
      }
      for (const arn of stringList(role.attrs['managed_policy_arns'])) {
        findings.push({ address: role.address, message: `managed_policy_arns attaches ${JSON.stringify(arn)} to the trainer's role; the trainer's identity holds no policy (per-job credentials from the controller)` });
      }
    }
    return findings;
  },
};

export const TENANT_ISOLATION_POLICY_RULES: readonly PolicyRule[] = [TRAINER_IDENTITY_NO_BUCKET_ACCESS];
