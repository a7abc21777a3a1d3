import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import { KmsKeyRing } from '@cdktf/provider-google/lib/kms-key-ring';
import { Construct } from 'constructs';

/** The role a service agent needs to use a key for CMEK. */
export const KMS_ENCRYPTER_DECRYPTER = 'roles/cloudkms.cryptoKeyEncrypterDecrypter';

export interface EncryptionKeyProps {
  readonly keyRing: KmsKeyRing;
  /** Key name inside the ring. */
  readonly name: string;
  /** IAM members (`serviceAccount:…`) given encrypter/decrypter on this key only: the service agents that use it. */
  readonly users: readonly string[];
  /** Seconds between automatic rotations. @default 7776000 (90 days) */
  readonly rotationPeriodSeconds?: number;
}

/** A Cloud KMS symmetric key with automatic rotation, usable only by the service agents named. */
export class EncryptionKey extends Construct {
  public readonly key: KmsCryptoKey;
  /** The grants; resources that encrypt with the key depend on them. */
  public readonly grants: readonly KmsCryptoKeyIamMember[];

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const rotation = props.rotationPeriodSeconds ?? 7_776_000;
    if (!Number.isInteger(rotation) || rotation < 86_400) throw new Error(`EncryptionKey ${props.name}: rotationPeriodSeconds ${rotation} must be a whole number of seconds, at least 86400 (one day)`);
    this.key = new KmsCryptoKey(this, 'key', {
      name: props.name,
      keyRing: props.keyRing.id,
      purpose: 'ENCRYPT_DECRYPT',
      rotationPeriod: `${rotation}s`,
      versionTemplate: { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protectionLevel: 'SOFTWARE' },
    });
    this.grants = props.users.map((member, i) => new KmsCryptoKeyIamMember(this, `user-${i}`, { cryptoKeyId: this.key.id, role: KMS_ENCRYPTER_DECRYPTER, member }));
  }

  get id(): string {
    return this.key.id;
  }
}
