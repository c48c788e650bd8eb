// A progress bar on stderr: redrawn in place (\r) on a terminal; in a log, where \r would pile up into
// one unreadable line, a plain line every few seconds. stdout keeps only the per-epoch results.

const barWidth = 24;
/** Between redraws on a terminal, and between lines in a log (ms). */
const redrawEvery = 100,
  lineEvery = 5000;

export class Progress {
  readonly #tty: boolean;
  /** When the last bar was drawn; a log's first line waits `lineEvery` from the start. */
  #last: number;
  #shown = false;

  constructor(readonly stream: NodeJS.WriteStream = process.stderr) {
    this.#tty = stream.isTTY === true;
    this.#last = this.#tty ? -Infinity : performance.now();
  }

  /** `done` of `total` minibatches of the epoch `label`, the running mean loss, examples per second. */
  update(label: string, done: number, total: number, loss: number, examplesPerSecond: number): void {
    const now = performance.now();
    if (now - this.#last < (this.#tty ? redrawEvery : lineEvery)) return;
    this.#last = now;
    const filled = Math.round((barWidth * done) / total);
    const status =
      `${label} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${done}/${total}  loss ${loss.toFixed(4)}  ` +
      `${Math.round(examplesPerSecond).toLocaleString('en-US')} examples/s`;
    this.stream.write(this.#tty ? `\r${status}\x1b[K` : `${status}\n`);
    this.#shown = true;
  }

  /** Erases the bar from a terminal, before a line is printed where it was. */
  clear(): void {
    if (this.#tty && this.#shown) this.stream.write('\r\x1b[K');
    this.#shown = false;
  }
}
