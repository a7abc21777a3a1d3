import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsKeyPolicy } from '@cdktf/provider-aws/lib/kms-key-policy';
import { Fn, TerraformLocal, Token } from 'cdktf';
import { Construct } from 'constructs';
import { keyPolicyStatements, KeyUser } from './key-policy';

export { KeyUser } from './key-policy';

export interface EncryptionKeyProps {
  /** Alias without the `alias/` prefix. */
  readonly alias: string;
  readonly description: string;
  /** Days before a scheduled deletion happens. @default 30 */
  readonly deletionWindowDays?: number;
  /**
   * AWS services that use the key directly (with their own identity, not the caller's), each granted the least the
   * service needs. @default - none: the account root administers the key and IAM policies in the account grant its use
   */
  readonly users?: readonly KeyUser[];
}

/**
 * A customer-managed KMS key with yearly rotation, an alias and an explicit key policy (`aws_kms_key_policy`): the
 * account root administers it (so IAM policies in the account can grant its use) and each of `users` may use it.
 *
 * The account id, partition and region in the policy are read from the key's own ARN, so plans need no
 * `aws_caller_identity` (which calls STS and fails offline). Resources whose creation makes an AWS service use the
 * key (log groups, node groups) should depend on `policy`.
 */
export class EncryptionKey extends Construct {
  public readonly key: KmsKey;
  /** The key policy; depend on it before a service uses the key. */
  public readonly policy: KmsKeyPolicy;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const window = props.deletionWindowDays ?? 30;
    if (window < 7 || window > 30) throw new Error(`EncryptionKey ${props.alias}: deletionWindowDays ${window} is outside 7 to 30`);
    const users = props.users ?? [];
    const duplicate = users.find((u, i) => users.indexOf(u) !== i);
    if (duplicate !== undefined) throw new Error(`EncryptionKey ${props.alias}: users lists ${duplicate} twice`);
    this.key = new KmsKey(this, 'key', { description: props.description, enableKeyRotation: true, deletionWindowInDays: window });
    new KmsAlias(this, 'alias', { name: `alias/${props.alias}`, targetKeyId: this.key.keyId });
    // arn:PARTITION:kms:REGION:ACCOUNT:key/ID, split once in a local so the policy JSON holds plain references.
    const arnParts = new TerraformLocal(this, 'arn-parts', Fn.split(':', this.key.arn));
    const part = (i: number): string => Token.asString(Fn.element(arnParts.asList, i));
    this.policy = new KmsKeyPolicy(this, 'policy', {
      keyId: this.key.keyId,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: keyPolicyStatements({ partition: part(1), region: part(3), account: part(4) }, users) }),
    });
  }

  get arn(): string {
    return this.key.arn;
  }
}
