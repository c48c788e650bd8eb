// A CLI's output folder, made ready before any work starts: created one level at a time below its first
// existing ancestor (Node 20's `mkdirSync(dir, { recursive: true })` loops for ever under /proc), then
// proven writable by writing and deleting a probe file (as root, `access(W_OK)` says yes to /sys too).
// Every step is bounded by the number of components of the path.
import { mkdirSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** "EACCES: permission denied" out of Node's "EACCES: permission denied, open '…'". */
function reason(e: unknown): string {
  return (e as Error).message.split(',')[0];
}

/** The folders of `dir` (absolute) that do not exist yet, outermost first; or why it cannot be a folder. */
function missingFolders(dir: string): string[] | string {
  const missing: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    try {
      if (statSync(at).isDirectory()) return missing;
      return `${at} is not a folder`;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a file further up; the walk finds it and names it.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(at) === at) return `cannot look at ${at} (${reason(e)})`;
      missing.unshift(at);
    }
  }
}

/**
 * Creates the folder `dir` (an absolute path) if need be and writes and deletes a file in it. Returns
 * undefined when it is ready, else why not, having removed the folders it created.
 */
export function makeOutputFolder(dir: string): string | undefined {
  const missing = missingFolders(dir);
  if (typeof missing === 'string') return missing;
  const created: string[] = [];
  const undo = (why: string) => {
    for (const folder of created.reverse()) rmdirSync(folder);
    return why;
  };
  for (const folder of missing) {
    try {
      mkdirSync(folder);
      created.push(folder);
    } catch (e) {
      return undo(`cannot create ${folder} (${reason(e)})`);
    }
  }
  const probe = join(dir, `.ravine-probe-${process.pid}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (e) {
    return undo(`cannot write a file in it (${reason(e)})`);
  }
  try {
    unlinkSync(probe);
  } catch (e) {
    return `cannot delete the file it wrote there, ${probe} (${reason(e)})`;
  }
  return undefined;
}

/** Writes each picture as `<stem>.svg` and `<stem>.png` in `dir`; returns the file names, in order. */
export function writePictures(plot: { toPng(svg: string): Uint8Array }, dir: string, pictures: readonly (readonly [string, string])[]): string[] {
  const written: string[] = [];
  for (const [stem, svg] of pictures) {
    writeFileSync(join(dir, `${stem}.svg`), svg);
    writeFileSync(join(dir, `${stem}.png`), plot.toPng(svg));
    written.push(`${stem}.svg`, `${stem}.png`);
  }
  return written;
}
