import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from './issues';
import { RuleOptions } from './rules';
import { parseConfig, ResolvedPlatformConfig } from './validate';

/** Reads `vpctune.yaml` / `.yml` / `.json`; syntax errors name the file, line and column. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '(file)', value: file, message: `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }], file);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ConfigError([{ path: '(file)', value: file, message: `is not valid JSON: ${(err as Error).message}` }], file);
    }
  }
  if (ext !== '.yaml' && ext !== '.yml') {
    throw new ConfigError([{ path: '(file)', value: file, message: `has extension "${ext}"; allowed: .yaml, .yml, .json` }], file);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({ path: '(file)', value: file, message: `is not valid YAML at line ${e.linePos?.[0].line ?? '?'}, column ${e.linePos?.[0].col ?? '?'}: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}` })),
      file,
    );
  }
  return doc.toJS() as unknown;
}

/** Reads and validates a config file; throws ConfigError with every issue. */
export function loadConfigFile(file: string, options: RuleOptions = {}): ResolvedPlatformConfig {
  return parseConfig(readConfigFile(file), { ...options, source: file });
}
