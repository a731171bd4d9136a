import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { acceptsGzip, asciiJson, CachedResponse, crc32 } from '../../server/src/cached-response';

// A cached answer is sent as bytes with the request's id spliced in, and its gzip form is spliced the same way
// (a deflate stream ended with a sync flush, then one stored block with the id). These tests hold both forms to the
// JSON the SDK would write for the same message and id.

const message = {
  result: {
    tools: Array.from({ length: 40 }, (_, i) => ({
      name: `tool-${i}`,
      description: `Compare − base, exact; 2 × 3 ÷ 4 → “quoted” … tool ${i}; emoji 📈.`,
    })),
  },
  jsonrpc: '2.0',
  id: 0,
};

const expected = (id: string | number) => JSON.stringify({ ...message, id });

describe('CachedResponse', () => {
  const cached = new CachedResponse(message);

  test.each([[0], [7], [123456789], ['abc'], ['naïve-id “x”']])(
    'answers id %p with the JSON value the SDK would write, in ASCII bytes',
    (id) => {
      const { body, contentEncoding } = cached.withId(id);
      expect(contentEncoding).toBeUndefined();
      expect(body.every((byte) => byte < 0x80)).toBe(true);
      expect(JSON.parse(body.toString('utf8'))).toEqual(JSON.parse(expected(id)));
    },
  );

  test.each([[0], [42], ['call-7']])(
    'the gzip form for id %p inflates to exactly the identity bytes',
    (id) => {
      const gzip = cached.withId(id, true);
      expect(gzip.contentEncoding).toBe('gzip');
      expect(gunzipSync(gzip.body).equals(cached.withId(id).body)).toBe(true);
    },
  );

  test('an id longer than one stored block (64 KB) is spliced as several blocks', () => {
    const id = 'é'.repeat(70_000); // 420,000 bytes once escaped
    expect(gunzipSync(cached.withId(id, true).body).equals(cached.withId(id).body)).toBe(true);
  });

  test('the gzip form passes gzip -t (CRC-32 and length checked by another inflater)', () => {
    const { body } = cached.withId('x-1', true);
    expect(() => execFileSync('gzip', ['-t'], { input: body })).not.toThrow();
    expect(execFileSync('gzip', ['-dc'], { input: body }).equals(cached.withId('x-1').body)).toBe(true);
  });

  test('compresses a large answer to a fraction of its size', () => {
    expect(cached.withId(1, true).body.length).toBeLessThan(cached.withId(1).body.length / 4);
  });

  test('leaves a small answer uncompressed even when gzip is accepted', () => {
    const small = new CachedResponse({ result: {}, jsonrpc: '2.0', id: 0 });
    expect(small.withId(5, true)).toEqual({ body: Buffer.from('{"result":{},"jsonrpc":"2.0","id":5}') });
  });
});

test('crc32 is the gzip CRC-32 and continues from a previous value', () => {
  expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  expect(crc32(Buffer.from('56789'), crc32(Buffer.from('1234')))).toBe(0xcbf43926);
});

test('asciiJson escapes every non-ASCII character and keeps the parsed value', () => {
  const text = JSON.stringify({ a: 'x − y … 📈', b: ['é'] });
  expect(asciiJson(text)).toBe('{"a":"x \\u2212 y \\u2026 \\ud83d\\udcc8","b":["\\u00e9"]}');
  expect(JSON.parse(asciiJson(text))).toEqual(JSON.parse(text));
});

describe('acceptsGzip', () => {
  test.each<[string | string[] | undefined, boolean]>([
    [undefined, false],
    ['', false],
    ['identity', false],
    ['deflate', false],
    ['gzip', true],
    ['gzip, deflate', true],
    ['br, gzip, deflate', true],
    ['GZIP;Q=0.5', true],
    ['x-gzip', true],
    ['gzip;q=0', false],
    ['gzip;q=0.000', false],
    ['*', true],
    ['*;q=0', false],
    ['gzip;q=0, *', false],
    [['deflate', 'gzip'], true],
  ])('Accept-Encoding %p → %p', (header, accepted) => {
    expect(acceptsGzip(header)).toBe(accepted);
  });
});
