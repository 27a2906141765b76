import { LineSplitter } from './line-splitter';

const MAX = 64 * 1024;

/** Every line of `bytes`, pushed in chunks of `chunk` bytes. */
function split(bytes: Buffer, chunk: number, max = MAX) {
  const splitter = new LineSplitter(max);
  const lines = [];
  for (let at = 0; at < bytes.length; at += chunk) lines.push(...splitter.push(bytes.subarray(at, at + chunk)));
  return [...lines, ...splitter.end()];
}

describe('LineSplitter', () => {
  it.each([1, 7, 1024, 1 << 20])('reads CRLF as LF, counts blank lines and skips them (chunks of %i bytes)', (chunk) => {
    const lines = split(Buffer.from('{"a":1}\r\n\r\n \t\n{"b":2}\n{"c":3}'), chunk);
    expect(lines.map((line) => [line.number, line.bytes.toString()])).toEqual([
      [1, '{"a":1}'],
      [4, '{"b":2}'],
      [5, '{"c":3}'],
    ]);
  });

  it.each([1, 4096, 65_536, 65_537, 1 << 20])(
    'keeps a line longer than the limit too large when its byte limit + 1 is a CR, and reads the next line (chunks of %i bytes)',
    (chunk) => {
      // the probe's D2: 65,536 bytes, a CR, then more of the same line
      const long = Buffer.concat([Buffer.alloc(MAX, 'a'), Buffer.from('\r'), Buffer.alloc(1000, 'b'), Buffer.from('\n{"next":1}\n')]);
      const [first, second] = split(long, chunk);
      expect(first.number).toBe(1);
      expect(first.bytes.length).toBe(MAX + 1); // still more than the limit: refused as too large
      expect(second).toMatchObject({ number: 2, bytes: Buffer.from('{"next":1}') });
    },
  );

  it('strips the CR of a CRLF from a line exactly at the limit: that line is not too large', () => {
    const [line] = split(Buffer.concat([Buffer.alloc(MAX, 'a'), Buffer.from('\r\n')]), 4096);
    expect(line.bytes.length).toBe(MAX);
  });

  it('cuts a line of any length after limit + 1 bytes, holding no more', () => {
    const [line] = split(Buffer.concat([Buffer.alloc(10 * MAX, 'a'), Buffer.from('\n')]), 4096);
    expect(line.bytes.length).toBe(MAX + 1);
  });
});
