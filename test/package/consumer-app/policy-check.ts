/** Runs vpctune's policy rules on a synthesized stack file and prints the findings as JSON (an empty list: none). */
import * as fs from 'node:fs';
import { evaluatePolicies, Finding, formatFindings } from 'vpctune/policy';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: node policy-check.js STACK_JSON');
const findings: Finding[] = evaluatePolicies(fs.readFileSync(file, 'utf8'));
process.stderr.write(`${formatFindings(findings)}\n`);
process.stdout.write(`${JSON.stringify(findings)}\n`);
