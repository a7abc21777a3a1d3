test('probe', async () => {
  const t0 = Date.now();
  const k = await import('@kubernetes/client-node');
  expect(typeof k.Watch).toBe('function');
  const { Job } = await import('kubernetes-models/batch/v1/Job');
  const j = new Job({ metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'a', image: 'b' }], restartPolicy: 'Never' } } } } as never);
  j.validate();
  expect(() => new Job({ metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'a', image: 5 }] } } } } as never).validate()).toThrow(/image/);
  console.log(Date.now() - t0);
});
