import type { RunningPlatform } from '../platform/platform';
import { startConsoleServer, type RunningConsole } from './console-server';

/** The console's port when none is given: the API port + 1, or a free one (0) when the API's was picked freely. */
export function defaultConsolePort(apiPort: number): number {
  return apiPort === 0 ? 0 : apiPort + 1;
}

/**
 * Starts the web console of a running platform on `host:port`, handing its `/v1` calls to the platform's API server.
 * Resolves with the console, or with the reason it is off (not built, port taken), which the caller reports: the
 * API is up either way.
 */
export async function startPlatformConsole(platform: RunningPlatform, host: string, port: number): Promise<RunningConsole | { readonly off: string }> {
  try {
    return await startConsoleServer({ api: platform.server, host, port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') return { off: `port ${port} on ${host} is in use; pick another with --console-port` };
    return { off: err instanceof Error ? err.message : String(err) };
  }
}
