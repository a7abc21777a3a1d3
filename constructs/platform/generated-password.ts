import { DataResource, Fn, Token } from 'cdktf';
import { Construct } from 'constructs';

/**
 * A password Terraform generates once and keeps: a `terraform_data` resource (built into Terraform, no provider) whose
 * input is two UUIDv4s from `uuid()` (crypto/rand; 244 random bits as 64 hex digits), with `ignore_changes` on the
 * input so later plans keep the first value. Like `random_password` it lives in the state (keep state private and
 * encrypted); unlike it, it needs no provider binding. Replace the resource (`terraform apply -replace`) to rotate.
 */
export class GeneratedPassword extends Construct {
  public readonly resource: DataResource;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const hex = (): string => Fn.replace(Fn.uuid(), '-', '');
    this.resource = new DataResource(this, 'value', { input: { password: `${hex()}${hex()}` }, lifecycle: { ignoreChanges: ['input'] } });
  }

  /** The password (known after apply). */
  get value(): string {
    return Token.asString(this.resource.output.lookup('password'));
  }
}
