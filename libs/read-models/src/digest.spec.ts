import { digestOf, documentsDigest } from './digest';

describe('documentsDigest', () => {
  it('is the digest checkpoints have always held: digestOf the object of the documents by name', () => {
    const documents = new Map<string, unknown>([
      ['pro_rata', { investments: [{ id: 'b', cash: '1.00' }], asOf: null }],
      ['fifo', { z: 1, a: [null, 'x'] }],
      ['circular-revenue fifo', {}],
    ]);
    expect(documentsDigest(documents)).toBe(digestOf(Object.fromEntries(documents)));
    expect(documentsDigest(new Map())).toBe(digestOf({}));
  });
});
