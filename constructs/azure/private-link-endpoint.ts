import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { Construct } from 'constructs';

export interface PrivateLinkEndpointProps {
  readonly name: string;
  readonly location: string;
  readonly resourceGroupName: string;
  /** The private-endpoint subnet. */
  readonly subnetId: string;
  /** The resource reached privately (storage account, registry, key vault). */
  readonly resourceId: string;
  /** Its sub-resource: `blob`, `registry`, `vault`. */
  readonly subresource: string;
  /** The private DNS zone the endpoint's A records go to. */
  readonly dnsZone: PrivateDnsZone;
}

/** A private endpoint for one sub-resource, registered in its private DNS zone. */
export class PrivateLinkEndpoint extends Construct {
  public readonly endpoint: PrivateEndpoint;

  constructor(scope: Construct, id: string, props: PrivateLinkEndpointProps) {
    super(scope, id);
    this.endpoint = new PrivateEndpoint(this, 'endpoint', {
      name: `${props.name}-pe`,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      subnetId: props.subnetId,
      privateServiceConnection: {
        name: `${props.name}-${props.subresource}`,
        privateConnectionResourceId: props.resourceId,
        subresourceNames: [props.subresource],
        isManualConnection: false,
      },
      privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: [props.dnsZone.id] },
    });
  }
}
