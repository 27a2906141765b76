/** A one-line progress bar on a terminal; nothing at all when the stream is not one. */
export class ProgressBar {
  private lastDraw = 0;
  private readonly startedAt = Date.now();
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
    private readonly enabled = Boolean(stream.isTTY),
  ) {}

  static disabled(): ProgressBar {
    return new ProgressBar(process.stderr, '', false);
  }

  /** `done` of `total` (any unit), and a count with its unit for the rate. */
  update(done: number, total: number, count: number, unit: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && done < total) return;
    this.lastDraw = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(fraction * width);
    const seconds = Math.max((now - this.startedAt) / 1000, 0.001);
    const rate = Math.round(count / seconds).toLocaleString('en-US');
    this.stream.write(
      `\r${this.label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ` +
        `${count.toLocaleString('en-US')} ${unit}  ${rate}/s `,
    );
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
