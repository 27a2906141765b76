/**
 * The bytes of a snapshot: a compact binary form that each projection writes and reads itself
 * (its `snapshot(writer)` and `restore(reader)`), so that restoring a ledger of a million facts
 * costs a few copies of typed arrays and one parse of its strings, not a structured clone of
 * every object. Strings are written once each, in a table; amounts as 64-bit integers (exact,
 * never through a float), or past that range as their decimal digits in the table; counts and
 * indexes as doubles. A reader checks every length it is given, so
 * bytes that are not a snapshot of this format fail with an error, never a wrong state.
 */
/** The one 64-bit value no amount is written as: it marks an amount past the range, in digits. */
const WIDE = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export class SnapshotWriter {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
  private length = 0;
  private readonly strings = new Map<string, number>();

  num(value: number): void {
    this.room(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  str(value: string): void {
    let index = this.strings.get(value);
    if (index === undefined) this.strings.set(value, (index = this.strings.size));
    this.num(index);
  }

  /** An optional string: -1 for none. */
  optStr(value: string | undefined): void {
    if (value === undefined) this.num(-1);
    else this.str(value);
  }

  /** An amount: a 64-bit integer, or WIDE followed by its decimal digits (a string of the table). */
  big(value: bigint): void {
    this.room(8);
    if (value > WIDE && value <= INT64_MAX) {
      this.view.setBigInt64(this.length, value, true);
      this.length += 8;
      return;
    }
    this.view.setBigInt64(this.length, WIDE, true);
    this.length += 8;
    this.str(value.toString());
  }

  i32s(values: Int32Array, count = values.length): void {
    this.num(count);
    this.room(count * 4);
    Buffer.from(values.buffer, values.byteOffset, count * 4).copy(this.bytes, this.length);
    this.length += count * 4;
    this.pad();
  }

  /** A map of strings to amounts. */
  amounts(map: ReadonlyMap<string, bigint>): void {
    this.num(map.size);
    for (const [key, value] of map) {
      this.str(key);
      this.big(value);
    }
  }

  /** The snapshot: a header (format, length of the string table), the table as JSON, the body. */
  finish(format: string): Buffer {
    const table = Buffer.from(JSON.stringify([format, ...this.strings.keys()]), 'utf8');
    const header = Buffer.alloc(8);
    header.writeUInt32LE(table.length, 0);
    header.writeUInt32LE(this.length, 4);
    return Buffer.concat([header, table, this.bytes.subarray(0, this.length)]);
  }

  private pad(): void {
    const rest = this.length % 8;
    if (rest !== 0) {
      this.room(8 - rest);
      this.bytes.fill(0, this.length, this.length + 8 - rest);
      this.length += 8 - rest;
    }
  }

  private room(bytes: number): void {
    if (this.length + bytes <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
  }
}

export class SnapshotReader {
  private readonly view: DataView;
  private readonly strings: string[];
  private offset = 0;
  private readonly body: Buffer;

  /** Throws unless `bytes` is a snapshot written in `format`. */
  constructor(bytes: Buffer, format: string) {
    if (bytes.length < 8) throw new Error('not a snapshot: too short');
    const tableLength = bytes.readUInt32LE(0);
    const bodyLength = bytes.readUInt32LE(4);
    if (8 + tableLength + bodyLength !== bytes.length) throw new Error('not a snapshot: its lengths do not add up');
    let table: unknown;
    try {
      table = JSON.parse(bytes.toString('utf8', 8, 8 + tableLength));
    } catch {
      throw new Error('not a snapshot: its string table is not JSON');
    }
    if (!Array.isArray(table) || table[0] !== format) throw new Error(`not a snapshot of format ${format}`);
    this.strings = table.slice(1) as string[];
    // a copy in a buffer of its own (offset 0), so that typed arrays can be read out of it aligned
    this.body = Buffer.alloc(bodyLength);
    bytes.copy(this.body, 0, 8 + tableLength);
    this.view = new DataView(this.body.buffer, this.body.byteOffset, bodyLength);
  }

  num(): number {
    if (this.offset + 8 > this.view.byteLength) throw new Error('snapshot ends early');
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  /** A count: a whole number no larger than what is left to read could hold. */
  count(): number {
    const value = this.num();
    if (!Number.isInteger(value) || value < 0 || value > this.view.byteLength) throw new Error(`snapshot holds a bad count ${value}`);
    return value;
  }

  str(): string {
    return this.stringAt(this.num());
  }

  optStr(): string | undefined {
    const index = this.num();
    return index === -1 ? undefined : this.stringAt(index);
  }

  big(): bigint {
    if (this.offset + 8 > this.view.byteLength) throw new Error('snapshot ends early');
    const value = this.view.getBigInt64(this.offset, true);
    this.offset += 8;
    if (value !== WIDE) return value;
    const digits = this.str();
    if (!/^-?\d{1,40}$/.test(digits)) throw new Error(`snapshot holds an amount that is not a whole number: ${digits.slice(0, 40)}`);
    return BigInt(digits);
  }

  i32s(): Int32Array<ArrayBuffer> {
    const count = this.count();
    if (this.offset + count * 4 > this.view.byteLength) throw new Error('snapshot ends early');
    const values = new Int32Array(count);
    values.set(new Int32Array(this.body.buffer, this.body.byteOffset + this.offset, count));
    this.offset += count * 4;
    if (this.offset % 8 !== 0) this.offset += 8 - (this.offset % 8);
    return values;
  }

  amounts(): Map<string, bigint> {
    const map = new Map<string, bigint>();
    for (let i = this.count(); i > 0; i--) map.set(this.str(), this.big());
    return map;
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.offset !== this.view.byteLength) throw new Error('snapshot has bytes left over');
  }

  private stringAt(index: number): string {
    const value = this.strings[index];
    if (typeof value !== 'string') throw new Error(`snapshot names string ${index}, not in its table`);
    return value;
  }
}
