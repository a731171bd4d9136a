import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { SERVER_DOCKERFILE } from '../../server/bundle';
import { GC_FLAGS, SERVER_NODE_OPTIONS } from '../../server/node-options';
import { NODE22 } from '../conformance/install';

/** Runs `node -e <script>` with only NODE_OPTIONS set, and returns what it printed. */
function node(script: string, nodeOptions: string, binary = process.execPath): string {
  const run = spawnSync(binary, ['-e', script], {
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: nodeOptions },
    encoding: 'utf8',
  });
  if (run.status !== 0 || run.stderr !== '') throw new Error(`node exited ${run.status}: ${run.stderr}`);
  return run.stdout.trim();
}

const NODES = [process.execPath, ...(existsSync(NODE22) ? [NODE22] : [])];

describe('the Node options the server runs with', () => {
  const dockerfile = readFileSync(SERVER_DOCKERFILE, 'utf8');

  test('the image sets exactly the options the benchmark starts the server with, in NODE_OPTIONS', () => {
    expect(dockerfile).toContain(`NODE_OPTIONS="${SERVER_NODE_OPTIONS}"`);
  });

  test('the image passes no flag on the command line, where the training run at build time would not see it', () => {
    const cmd = /^CMD (.*)$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', 'server.js']);
  });

  test('Node accepts every option in NODE_OPTIONS', () => {
    expect(node('0', SERVER_NODE_OPTIONS)).toBe('');
  });

  test.each(NODES)(
    'NODE_OPTIONS changes no V8 flag, so V8 takes the code cache Node ships for its own modules (%s)',
    (binary) => {
      const tag = "process.stdout.write(String(require('node:v8').cachedDataVersionTag()))";
      const pristine = node(tag, '', binary);
      expect(node(tag, SERVER_NODE_OPTIONS, binary)).toBe(pristine);
      // Negative control: a V8 heap flag in NODE_OPTIONS changes the tag every code cache is checked against.
      expect(node(tag, `${SERVER_NODE_OPTIONS} --max-semi-space-size=2`, binary)).not.toBe(pristine);
    },
  );
});

describe('the GC flags the server sets on itself once loaded (server/src/boot.ts)', () => {
  test('the Node the image runs is installed for these tests', () => {
    // Without node@22 the next tests would check Node 20 alone.
    expect(existsSync(NODE22)).toBe(true);
  });

  test.each(NODES)('every flag is one the V8 of %s knows', (binary) => {
    const known = spawnSync(binary, ['--v8-options'], { encoding: 'utf8' }).stdout;
    for (const flag of GC_FLAGS) expect(known).toContain(`  ${flag.split('=')[0]} (`);
    // Negative control: a flag V8 does not have is not found the same way.
    expect(known).not.toContain('  --semi-space-growth-percent (');
  });

  /**
   * The size of V8's young generation (MB) after a workload whose objects survive a while, in a process that set
   * `flags` with v8.setFlagsFromString once it had started, as boot.ts does.
   */
  function youngGenerationAfterWork(flags: readonly string[], binary: string): number {
    const script = `
      const v8 = require('node:v8');
      for (const flag of ${JSON.stringify(flags)}) v8.setFlagsFromString(flag);
      let kept = [];
      for (let i = 0; i < 3e6; i++) { kept.push({ i, s: 'x' + i }); if (kept.length > 200000) kept = []; }
      const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      process.stdout.write(String(young.space_size / 1048576));
    `;
    return Number(node(script, SERVER_NODE_OPTIONS, binary));
  }

  test.each(NODES)(
    'set once the process runs, they still hold the young generation at its size (%s)',
    (binary) => {
      const held = youngGenerationAfterWork(GC_FLAGS, binary);
      const grown = youngGenerationAfterWork([], binary);
      // Negative control: without the flags the same work grows the young generation.
      expect(grown).toBeGreaterThan(held);
      expect(held).toBeLessThanOrEqual(8);
    },
  );
});
