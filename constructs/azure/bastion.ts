import { BastionHost } from '@cdktf/provider-azurerm/lib/bastion-host';
import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { NetworkInterface } from '@cdktf/provider-azurerm/lib/network-interface';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { Construct } from 'constructs';

export interface BastionProps {
  readonly name: string;
  readonly location: string;
  readonly resourceGroupName: string;
  /** `AzureBastionSubnet` of the VNet. */
  readonly bastionSubnetId: string;
  /** The subnet of the VM (no public IP; egress through the NAT gateway). */
  readonly vmSubnetId: string;
  /** OpenSSH public key of the VM user `azureuser`. */
  readonly sshPublicKey: string;
  /** The disk encryption set (customer-managed key) of the VM's OS disk. */
  readonly diskEncryptionSetId: string;
  /** @default Standard_B2s */
  readonly vmSize?: string;
}

/**
 * Azure Bastion (Standard, native-client tunneling) and a small Ubuntu VM with no public IP, for reaching the
 * private AKS API: `az network bastion ssh` / `tunnel` to the VM, then `az aks get-credentials` and `kubectl`
 * from there (constructs/azure/README.md).
 */
export class Bastion extends Construct {
  public readonly host: BastionHost;
  public readonly vm: LinuxVirtualMachine;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    const base = { location: props.location, resourceGroupName: props.resourceGroupName };
    // Azure Bastion's own front door: the only public IP besides the NAT gateway's.
    const ip = new PublicIp(this, 'ip', { ...base, name: `${props.name}-bastion`, allocationMethod: 'Static', sku: 'Standard' });
    this.host = new BastionHost(this, 'host', {
      ...base,
      name: `${props.name}-bastion`,
      sku: 'Standard',
      tunnelingEnabled: true,
      shareableLinkEnabled: false,
      ipConfiguration: { name: 'bastion', subnetId: props.bastionSubnetId, publicIpAddressId: ip.id },
    });
    const nic = new NetworkInterface(this, 'nic', {
      ...base,
      name: `${props.name}-bastion-vm`,
      ipConfiguration: [{ name: 'private', subnetId: props.vmSubnetId, privateIpAddressAllocation: 'Dynamic' }],
    });
    this.vm = new LinuxVirtualMachine(this, 'vm', {
      ...base,
      name: `${props.name}-bastion-vm`,
      size: props.vmSize ?? 'Standard_B2s',
      adminUsername: 'azureuser',
      disablePasswordAuthentication: true,
      adminSshKey: [{ username: 'azureuser', publicKey: props.sshPublicKey }],
      networkInterfaceIds: [nic.id],
      encryptionAtHostEnabled: true,
      secureBootEnabled: true,
      vtpmEnabled: true,
      identity: { type: 'SystemAssigned' },
      osDisk: { caching: 'ReadWrite', storageAccountType: 'StandardSSD_LRS', diskEncryptionSetId: props.diskEncryptionSetId },
      sourceImageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
    });
  }
}
