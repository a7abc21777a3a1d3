/** Serving object names: DNS-1035 labels of at most 63 characters, distinct for ids that slug alike; the upstream URL. */
import { servingServiceName, servingUpstreamUrl } from '../../constructs/platform/serving-names';

test('GIVEN model ids WHEN named THEN each is vpctune-serve-<slug>-<hash>, a DNS label of at most 63 characters', () => {
  // GIVEN / WHEN
  const names = ['meta-llama/Llama-3.1-8B-Instruct', 'vpctune/tiny-chat', 'vpctune/Tiny_Chat', 'x'.repeat(100), '///'].map(servingServiceName);
  // THEN
  expect(names.slice(0, 3)).toEqual(['vpctune-serve-meta-llama-llama-3-1-8b-instruct-08a20b29', 'vpctune-serve-vpctune-tiny-chat-dfbca52f', expect.stringMatching(/^vpctune-serve-vpctune-tiny-chat-[0-9a-f]{8}$/)]);
  expect(names[2]).not.toBe(names[1]);
  expect(names[4]).toMatch(/^vpctune-serve-model-[0-9a-f]{8}$/);
  for (const n of names) expect(n).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
});

test('GIVEN a served model WHEN the controller looks for its upstream THEN it is the Service in the platform namespace on port 8000', () => {
  expect(servingUpstreamUrl('vpctune/tiny-chat')).toBe('http://vpctune-serve-vpctune-tiny-chat-dfbca52f.vpctune.svc:8000');
});
