// The code each of ravine's worker threads runs, as a string: Node starts it with `eval: true`, a
// browser from a Blob URL, so no bundler has to find a second file. A worker instantiates the same
// module over the same shared memory, then sleeps in Atomics.wait until the calling thread posts a
// job in the control block (threads.ts documents its layout), runs its slice, and counts itself done.
// It never allocates and never posts a message after "ready": everything goes through shared memory.
import { CONTROL } from './control.js';

export const WORKER_SOURCE = `'use strict';
const C = ${JSON.stringify(CONTROL)};
const node = typeof process === 'object' && process !== null && process.versions && process.versions.node;
const port = node ? (process.getBuiltinModule ? process.getBuiltinModule('node:worker_threads') : require('node:worker_threads')).parentPort : null;
const post = (m) => (port ? port.postMessage(m) : self.postMessage(m));
function serve({ module, memory, control, index, names }) {
  const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort called in the kernels'); } } });
  const kernels = names.map((n) => instance.exports[n]);
  const i32 = new Int32Array(memory.buffer, control, C.words);
  const f64 = new Float64Array(memory.buffer, control + C.argsByte, C.maxArgs);
  const text = new TextEncoder();
  let u32 = new Uint32Array(memory.buffer);
  // Read before saying ready: the first job is posted only after that, so it cannot be missed.
  let seen = Atomics.load(i32, C.seq);
  post({ ready: true });
  for (;;) {
    // A sleeping thread takes ~65-85 µs to wake on this VM, a polling one ~1 µs: poll for the next job
    // a little while (the next group of this step, or the next step of a tight loop), then sleep.
    const until = performance.now() + C.pollMs;
    while (Atomics.load(i32, C.seq) === seen && performance.now() < until) for (let k = 0; k < 64; k++) if (Atomics.load(i32, C.seq) !== seen) break;
    Atomics.wait(i32, C.seq, seen);
    seen = Atomics.load(i32, C.seq);
    if (Atomics.load(i32, C.stop) !== 0) return;
    try {
      const id = i32[C.kernel];
      if (Atomics.compareExchange(i32, C.failIndex, index, 0) === index) throw new Error('a test asked this worker to fail');
      const args = Array.from(f64.subarray(0, i32[C.argc]));
      const at = (i32[C.plan] >>> 2) + 2 * index;
      // memory.buffer is costly on a shared memory: re-read it only when the heap has grown past the view.
      if (at + 1 >= u32.length) u32 = new Uint32Array(memory.buffer);
      args[0] = u32[at];
      args[i32[C.countIndex]] = u32[at + 1];
      if (args[i32[C.countIndex]] > 0) kernels[id](...args);
    } catch (e) {
      if (Atomics.compareExchange(i32, C.error, 0, index + 1) === 0) {
        const bytes = text.encode(String(e && e.message ? e.message : e)).subarray(0, C.messageBytes);
        new Uint8Array(memory.buffer, control + C.messageByte, C.messageBytes).set(bytes);
        i32[C.messageLength] = bytes.length;
      }
    }
    if (Atomics.sub(i32, C.remaining, 1) === 1) Atomics.notify(i32, C.remaining);
  }
}
const onMessage = (data) => {
  try {
    serve(data);
  } catch (e) {
    post({ error: String(e && e.message ? e.message : e) });
  }
};
if (port) port.once('message', onMessage);
else self.onmessage = (event) => onMessage(event.data);
`;
