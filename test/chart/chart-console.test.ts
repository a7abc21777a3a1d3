/**
 * The web console in the chart: `vpctune serve` serves it on the container's 8322 (`--console-port 8322`), the
 * controller's Service gives it a port of its own (`console.port`) and the controller's NetworkPolicy lets the API's
 * peers reach it; `console.enabled: false` takes all three away and runs `serve --no-console`.
 */
import { exampleConfigs, exampleValues, find, lintChart, podSpecOf, renderChart, type RenderedObject } from './chart-harness';

const [, config] = exampleConfigs().find(([f]) => f === 'design-sketch.yaml')!;

function controllerParts(objects: readonly RenderedObject[]) {
  const container = podSpecOf(find(objects, 'Deployment', 'vpctune-controller'))!.containers[0]!;
  return {
    args: container.args,
    containerPorts: container['ports'],
    servicePorts: (find(objects, 'Service', 'vpctune-controller').spec as { ports: unknown }).ports,
    ingress: (find(objects, 'NetworkPolicy', 'vpctune-controller').spec as { ingress: unknown }).ingress,
  };
}

test('GIVEN console.port 8443 WHEN linted strictly and rendered THEN serve runs the console on 8322, the Service maps 8443 to it and the NetworkPolicy lets the API peers in on 8322', async () => {
  // GIVEN
  const values = { ...exampleValues(config), console: { enabled: true, port: 8443 } };
  // WHEN
  const lint = await lintChart(values);
  const r = await renderChart(values);
  // THEN
  expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  expect(lint.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  expect(r.stderr).toBe('');
  expect(controllerParts(r.objects)).toEqual({
    args: ['serve', '--max-jobs', '64', '--max-jobs-per-project', '8', '--console-port', '8322'],
    containerPorts: [
      { name: 'http', containerPort: 8321, protocol: 'TCP' },
      { name: 'console', containerPort: 8322, protocol: 'TCP' },
    ],
    servicePorts: [
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'console', port: 8443, targetPort: 'console', protocol: 'TCP' },
    ],
    ingress: [{ ports: [{ protocol: 'TCP', port: 8321 }, { protocol: 'TCP', port: 8322 }] }],
  });
});

test('GIVEN console.enabled false WHEN rendered THEN serve runs with --no-console and no port, Service port or ingress is there for it', async () => {
  // GIVEN / WHEN
  const r = await renderChart(exampleValues(config), { set: ['console.enabled=false'] });
  // THEN
  expect(r.stderr).toBe('');
  expect(controllerParts(r.objects)).toEqual({
    args: ['serve', '--max-jobs', '64', '--max-jobs-per-project', '8', '--no-console'],
    containerPorts: [{ name: 'http', containerPort: 8321, protocol: 'TCP' }],
    servicePorts: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    ingress: [{ ports: [{ protocol: 'TCP', port: 8321 }] }],
  });
});

test.each([
  ['console.port=0', "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nvpctune:\n- at '/console/port': minimum: got 0, want 1\n\n"],
  [
    'console.port=80',
    "Error: execution error at (vpctune/templates/controller/service.yaml:20:8): console.port 80 is controller.service.port (the API's) too; allowed: any other port from 1 to 65535\n\nUse --debug flag to render out invalid YAML\n",
  ],
])('GIVEN --set %s WHEN rendered THEN refused: %s', async (set, message) => {
  // GIVEN / WHEN
  const r = await renderChart(exampleValues(config), { set: [set] });
  // THEN
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(message);
});
