/**
 * EFA interfaces per AWS shape (one per network card): every EFA shape says how many, no other shape does, and the
 * multi-card shapes carry the counts AWS documents.
 */
import { AWS_GPU_SKUS } from '../../constructs/catalog/aws-sku-data';
import { ALL_CLOUDS, Interconnect, skusFor } from '../../constructs/catalog';
import { efaNetworkInterfaces } from '../../constructs/aws/efa-network-interfaces';

test('Given the catalog, then exactly the EFA shapes have efaInterfaces, each a whole number >= 1', () => {
  for (const sku of ALL_CLOUDS.flatMap((c) => skusFor(c))) {
    if (sku.interconnect === Interconnect.EFA) expect({ type: sku.instanceType, ok: Number.isInteger(sku.efaInterfaces) && (sku.efaInterfaces as number) >= 1 }).toEqual({ type: sku.instanceType, ok: true });
    else expect({ type: sku.instanceType, efaInterfaces: sku.efaInterfaces }).toEqual({ type: sku.instanceType, efaInterfaces: undefined });
  }
});

test('Given the multi-card shapes, then p5.48xlarge has 32 EFA interfaces, p4d/p4de 4, g6e.48xlarge 4, g6e.24xlarge 2', () => {
  const by = Object.fromEntries(AWS_GPU_SKUS.map((s) => [s.instanceType, s.efaInterfaces]));
  expect([by['p5.48xlarge'], by['p4d.24xlarge'], by['p4de.24xlarge'], by['g6e.48xlarge'], by['g6e.24xlarge'], by['g5.48xlarge']]).toEqual([32, 4, 4, 4, 2, 1]);
});

test('Given a count below 1 or fractional, then efaNetworkInterfaces refuses it naming the value', () => {
  expect(() => efaNetworkInterfaces(0, ['sg'])).toThrow('efaNetworkInterfaces: count 0 must be a whole number of at least 1');
  expect(() => efaNetworkInterfaces(1.5, ['sg'])).toThrow('efaNetworkInterfaces: count 1.5 must be a whole number of at least 1');
  expect(efaNetworkInterfaces(1, ['sg'])).toEqual([{ networkCardIndex: 0, deviceIndex: 0, interfaceType: 'efa', deleteOnTermination: 'true', securityGroups: ['sg'] }]);
});
