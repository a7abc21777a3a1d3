/**
 * The supervisor's scheduling pass runs from timers and callbacks nobody awaits (`void kick()`). A rejection there is
 * an unhandled rejection, which ends a Node process: seen as a whole jest run dying with "SQLite3Error: Database
 * already closed" when a late kick met a store closed under it. A kick logs its failure and resolves.
 */
import { startTestPlatform, type TestPlatform } from '../helpers/test-platform';

let tp: TestPlatform | undefined;
afterEach(async () => {
  await tp?.close();
  tp = undefined;
});

test('GIVEN a running supervisor whose store fails WHEN a scheduling pass runs THEN it resolves and the failure is logged', async () => {
  // GIVEN a platform whose store answers every job listing with an error
  tp = await startTestPlatform();
  const store = tp.platform.store as unknown as { listJobsByStatus: (...a: unknown[]) => Promise<unknown> };
  const original = store.listJobsByStatus;
  store.listJobsByStatus = async () => {
    throw new Error('SQLite3Error: Database already closed');
  };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    // WHEN a pass runs the way timers run it (not awaited by anyone) and the way callers await it
    void tp.platform.supervisor.kick();
    await expect(tp.platform.supervisor.kick()).resolves.toBeUndefined();
    await new Promise((r) => setTimeout(r, 50));
    // THEN nothing is left unhandled
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    store.listJobsByStatus = original;
  }
});
