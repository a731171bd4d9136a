import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PACKAGE = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
/** The AWS Control Tower Guard rules that ship with `@cdklabs/cdk-validator-cfnguard`. */
export const GUARD_RULES_DIR = path.join(PACKAGE, 'rules', 'control-tower', 'cfn-guard');

function guardBinary(): string {
  const osDir = process.platform === 'darwin' ? 'macos' : 'ubuntu';
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  return path.join(PACKAGE, 'bin', osDir, arch, 'cfn-guard');
}

/** One failed rule on one resource: `<template> <rule> <logical id>`. */
export type GuardFinding = string;

/**
 * Runs the packaged cfn-guard binary once over all the templates (offline) with every rule of `rulesDir`.
 *
 * @param templates templates keyed by a name (the file name cfn-guard reports)
 * @returns the sorted, de-duplicated findings
 */
export function guardFindings(
  templates: Readonly<Record<string, object>>,
  rulesDir = GUARD_RULES_DIR,
): GuardFinding[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-mcp-guard-'));
  try {
    for (const [name, template] of Object.entries(templates)) {
      fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(template));
    }
    const run = spawnSync(
      guardBinary(),
      ['validate', '-r', rulesDir, '-d', dir, '-S', 'none', '-o', 'json'],
      {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    // Exit 19 means "some rule failed"; anything else but 0 is a broken run.
    if (run.status !== 0 && run.status !== 19) {
      throw new Error(`cfn-guard failed (${run.status}): ${run.stderr}`);
    }
    // One pretty-printed JSON object per (rule file, template), written back to back.
    const reports = run.stdout
      .replace(/\}\{\n/g, '}\u0000{\n')
      .split('\u0000')
      .filter((p) => p.trim() !== '');
    const findings = new Set<string>();
    for (const part of reports) {
      const report = JSON.parse(part) as { name: string; not_compliant: any[] };
      for (const failure of report.not_compliant) {
        const rule = failure.Rule ?? failure;
        const ids = new Set<string>();
        JSON.stringify(rule, (key, value) => {
          const m = key === 'path' && typeof value === 'string' ? /^\/Resources\/([^/]+)/.exec(value) : null;
          if (m !== null) ids.add(m[1]);
          return value;
        });
        const template = path.basename(report.name, '.json');
        for (const id of ids.size > 0 ? ids : ['-']) findings.add(`${template} ${rule.name} ${id}`);
      }
    }
    return [...findings].sort();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
