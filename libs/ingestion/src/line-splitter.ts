/** One line of an NDJSON file, numbered from 1 counting every line. */
export interface FileLine {
  number: number;
  /** The line without its end-of-line; cut after `maxBytes + 1` bytes if longer (so it still reads as too large). */
  bytes: Buffer;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into lines without ever holding more than one line (and at most
 * maxBytes + 1 bytes of it): a 10 GB line costs as little memory as a short one, and still
 * reads as "too large". Blank lines (only spaces, tabs, CR) are counted and skipped.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Bytes of the current line were dropped beyond maxBytes + 1. */
  private cut = false;
  private lineNumber = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): FileLine[] {
    const lines: FileLine[] = [];
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) {
        this.keep(chunk.subarray(start));
        return lines;
      }
      this.keep(chunk.subarray(start, end));
      this.emit(lines);
      start = end + 1;
    }
  }

  end(): FileLine[] {
    const lines: FileLine[] = [];
    if (this.partBytes > 0) this.emit(lines);
    return lines;
  }

  private keep(piece: Buffer): void {
    const room = this.maxBytes + 1 - this.partBytes;
    if (room <= 0 || piece.length === 0) {
      if (piece.length > 0) this.cut = true;
      return;
    }
    if (piece.length > room) this.cut = true;
    const kept = piece.length > room ? piece.subarray(0, room) : piece;
    // Copy: the stream may reuse the chunk's memory.
    this.parts.push(Buffer.from(kept));
    this.partBytes += kept.length;
  }

  private emit(lines: FileLine[]): void {
    this.lineNumber += 1;
    let bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    const cut = this.cut;
    this.parts = [];
    this.partBytes = 0;
    this.cut = false;
    // A CR ends a line only as the CR of its CRLF: in a line that was cut, the last byte kept is
    // one of its middle bytes, and stripping it would let a line of any length pass as maxBytes
    if (!cut && bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, bytes.length - 1);
    if (isBlank(bytes)) return;
    lines.push({ number: this.lineNumber, bytes });
  }
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== CARRIAGE_RETURN) return false;
  return true;
}
