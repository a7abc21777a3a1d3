/** Where a command writes: the process's streams, or a test's capture. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export const PROCESS_IO: CliIo = process;
