import { batchedStderr, createLogger, describeError } from '../../server/src/log';

function capture(level: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  return { log: createLogger(level, (l) => lines.push(l)), lines };
}

describe('logger', () => {
  test('writes one JSON object per line with time, level and message', () => {
    const { log, lines } = capture('info');
    log.info('listening', { port: 8000 });
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(lines[0].trim().includes('\n')).toBe(false);
    const entry = JSON.parse(lines[0]);
    expect(entry).toEqual({ time: expect.any(String), level: 'info', msg: 'listening', port: 8000 });
    expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
  });

  test('drops entries below the configured level', () => {
    const { log, lines } = capture('warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map((l) => JSON.parse(l).level)).toEqual(['warn', 'error']);
  });

  test('redacts credential-like fields at any depth, in objects and arrays', () => {
    const { log, lines } = capture('debug');
    log.info('call', {
      secretAccessKey: 'wJalrXUtnFEMI',
      sessionToken: 'token-222222222222',
      authorization: 'Bearer eyJ',
      nested: { credentials: { accessKeyId: 'ASIA' }, password: 'p', region: 'us-east-1' },
      list: [{ SessionToken: 'token-x' }, 'plain'],
    });
    const text = lines[0];
    for (const secret of ['wJalrXUtnFEMI', 'token-222222222222', 'Bearer eyJ', 'ASIA', '"p"', 'token-x']) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.parse(text)).toMatchObject({
      secretAccessKey: '[redacted]',
      sessionToken: '[redacted]',
      authorization: '[redacted]',
      nested: { credentials: '[redacted]', password: '[redacted]', region: 'us-east-1' },
      list: [{ SessionToken: '[redacted]' }, 'plain'],
    });
  });
});

describe('batchedStderr', () => {
  test('writes the lines of one event-loop turn in one write, in order, after the turn', async () => {
    const writes: string[] = [];
    const write = batchedStderr({ write: (text: string) => writes.push(text) });
    write('a\n');
    write('b\n');
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['a\nb\n']);
    write('c\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });
});

describe('describeError', () => {
  test('keeps the name, message, HTTP status and request id, never the stack', () => {
    const err = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400, requestId: 'req-1' },
    });
    expect(describeError(err)).toEqual({
      errorName: 'ThrottlingException',
      errorMessage: 'Rate exceeded',
      httpStatus: 400,
      requestId: 'req-1',
    });
  });

  test('caps long messages and describes non-errors', () => {
    expect((describeError(new Error('x'.repeat(2000))).errorMessage as string).length).toBe(500);
    expect(describeError('boom')).toEqual({ errorMessage: 'boom' });
  });
});
