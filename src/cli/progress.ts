// A race's progress on stderr: one line rewritten in place on a terminal, one line per lap otherwise.

/** The callback a lap calls with its step; erases its line when the lap is done (on a terminal). */
export function progress(label: string, steps: number): (step: number) => void {
  const tty = process.stderr.isTTY;
  return (step) => {
    const done = step >= steps;
    if (tty) process.stderr.write(`\r${label} ${step}/${steps}`.padEnd(60) + (done ? `\r${' '.repeat(60)}\r` : ''));
  };
}

/** The line a finished lap leaves where stderr is not a terminal (a log, a test). */
export function lapDone(label: string, steps: number, total: number): void {
  if (!process.stderr.isTTY) process.stderr.write(`${label} ${steps}/${total}\n`);
}
