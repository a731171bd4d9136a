import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SERVER_DOCKERFILE } from '../../server/bundle';
import { SERVER_NODE_OPTIONS } from '../../server/node-options';

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
    const run = spawnSync(process.execPath, ['-e', '0'], {
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: SERVER_NODE_OPTIONS },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
