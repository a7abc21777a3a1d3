import * as fs from 'node:fs';

/** Structured JSON logs: one object per line with time, level, msg and fields. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLogger(write: (line: string) => void, minLevel: LogLevel = 'info', base: LogFields = {}): Logger {
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    const line = `${JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields })}\n`;
    try {
      write(line);
    } catch {
      // A log line is never worth crashing the controller (a closed file at shutdown, a full disk).
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A log file: lines are appended; after `close()` they are dropped (a late line at shutdown must not write to a closed descriptor). */
export interface LogFileSink {
  readonly file: string;
  write(line: string): void;
  close(): void;
}

export function logFileSink(file: string): LogFileSink {
  let fd: number | undefined = fs.openSync(file, 'a');
  return {
    file,
    write: (line) => {
      if (fd !== undefined) fs.writeSync(fd, line);
    },
    close: () => {
      if (fd === undefined) return;
      const open = fd;
      fd = undefined;
      fs.closeSync(open);
    },
  };
}

export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
