// What a page's Content-Security-Policy can take from ravine, said in the policy's own terms (see
// docs/browsers.md). Compiling the SIMD kernels needs `script-src 'wasm-unsafe-eval'`; without it the
// engine refuses the compile, each in its own words (Chromium: "… violates the following Content
// Security Policy directive …", Firefox: "… blocked by CSP", Safari: "… 'wasm-unsafe-eval' is not an
// allowed source …"). The worker threads start from a blob: URL, which `worker-src` (or, where it is
// absent, `child-src`, `script-src`, `default-src`) must allow, and the binary is fetched, which
// `connect-src` must allow. A blocked worker fires only a bare `error` event and a blocked fetch fails
// as a network error would; the policy's `securitypolicyviolation` event says which directive refused it.

/** The fallback reason when the policy refuses to compile WebAssembly. */
export const WASM_CSP_REASON =
  "ravine: this page's Content-Security-Policy does not allow WebAssembly to compile: its script-src (or default-src) needs 'wasm-unsafe-eval'";

/** Why no worker thread could start when the policy refuses blob: workers (`directive`: the one that refused). */
export const workerCspReason = (directive: string) =>
  `this page's Content-Security-Policy does not allow workers from blob: URLs, which is how ravine starts its threads: its ${directive} needs blob:`;

/** Why no worker thread could start when the policy demands Trusted Types for script URLs. */
export const TRUSTED_TYPES_REASON =
  "this page's Content-Security-Policy requires Trusted Types for scripts (require-trusted-types-for 'script'), and ravine starts its threads from a plain blob: URL";

/** True when `error` (from compiling WebAssembly) is the page's policy refusing it, as any engine words it. */
export function isWasmCspError(error: unknown): boolean {
  const message = String((error as Error | undefined)?.message ?? error);
  return /Content[ -]Security[ -]Policy|\bCSP\b|wasm-unsafe-eval|'unsafe-eval'/i.test(message);
}

/** What `new Worker(url)` threw, as a reason naming the policy when the policy is the cause. */
export function workerThrowReason(error: unknown): string | undefined {
  const message = String((error as Error | undefined)?.message ?? error);
  if (/TrustedScriptURL|Trusted ?Types/i.test(message)) return TRUSTED_TYPES_REASON;
  if (/Content[ -]Security[ -]Policy|\bCSP\b/i.test(message)) return workerCspReason('worker-src');
  return undefined;
}

/** The policy's part of a thread failure's message (what workerCspReason or TRUSTED_TYPES_REASON said), if any. */
export function policyReason(message: string): string | undefined {
  return /this page's Content-Security-Policy.*$/s.exec(message)?.[0];
}

/** The fallback reason when the policy refuses to fetch the binary (`href`). */
export const fetchCspReason = (href: string) =>
  `ravine: this page's Content-Security-Policy does not allow fetching the SIMD kernels from ${href}: its connect-src (or default-src) needs ${new URL(href).origin}`;

/** The part of a `securitypolicyviolation` event that says what was refused, and by which directive. */
export interface Violation {
  readonly blockedURI?: string;
  readonly effectiveDirective?: string;
}
interface EventScope {
  addEventListener?(type: string, listener: (event: Violation) => void): void;
  removeEventListener?(type: string, listener: (event: Violation) => void): void;
}

/**
 * Watches for the policy refusing something `match` picks out while an action runs: `directive(waitMs)`
 * resolves with the directive that refused it (`'worker-src'`), or `undefined` if no such violation came
 * within `waitMs` (the event usually precedes the failure it causes; the wait covers engines where it
 * follows), at once where there are no such events (Node).
 */
export function watchViolations(
  match: (event: Violation) => boolean,
  scope: EventScope = globalThis as EventScope,
): { directive(waitMs: number): Promise<string | undefined>; stop(): void } {
  const listening = typeof scope.addEventListener === 'function';
  let seen: string | undefined;
  let wake: (() => void) | undefined;
  const listener = (event: Violation) => {
    if (!match(event)) return;
    seen ??= event.effectiveDirective || 'unknown';
    wake?.();
  };
  if (listening) scope.addEventListener!('securitypolicyviolation', listener);
  const stop = () => scope.removeEventListener?.('securitypolicyviolation', listener);
  return {
    stop,
    async directive(waitMs) {
      if (seen === undefined && listening) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          wake = () => (clearTimeout(timer), resolve());
        });
      }
      stop();
      return seen;
    },
  };
}

/** How long a failure waits for the policy's violation event that says why. */
export const VIOLATION_WAIT_MS = 100;

/** A blob: worker refused. */
export const blobWorker = (event: Violation) => String(event.blockedURI ?? '').startsWith('blob');
/** A fetch refused. */
export const connection = (event: Violation) => event.effectiveDirective === 'connect-src';
