// Headless Chromium (Debian's package; .ci/run installs it) against pages served on loopback. A page
// reports by POSTing JSON to /result/<id>; `openPage` resolves with what it posted. Tests that need it
// skip, with a notice, only outside CI: in CI a missing browser is a failure.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';

export const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
export const skipBrowser = !chromium && !process.env.CI;

const types: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
  '.css': 'text/css',
};

/** Serves `route(url)`'s answer: a file path, `{ status }` to fail, or `{ body, type }` to answer inline. */
export type Route = (url: string) => string | { status: number } | { body: string; type: string } | undefined;

export interface PageServer {
  origin: string;
  /** Opens `path` in a fresh headless Chromium and resolves with the JSON the page posts to /result/<id>. */
  open(path: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  requests: string[];
  close(): void;
}

export async function servePages(route: Route, headers: Record<string, string> = {}): Promise<PageServer> {
  const waiting = new Map<string, (value: Record<string, unknown>) => void>();
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = decodeURIComponent(req.url!.split('?')[0]);
    requests.push(`${req.method} ${url}`);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (req.method === 'POST' && url.startsWith('/result/')) {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        res.end();
        waiting.get(url.slice('/result/'.length))?.(JSON.parse(body));
      });
      return;
    }
    const answer = route(url);
    if (answer === undefined || (typeof answer === 'string' && !(existsSync(answer) && statSync(answer).isFile()))) {
      res.statusCode = 404;
      res.end();
    } else if (typeof answer === 'string') {
      res.setHeader('content-type', types[extname(answer)] ?? 'application/octet-stream');
      res.end(readFileSync(answer));
    } else if ('status' in answer) {
      res.statusCode = answer.status;
      res.end();
    } else {
      res.setHeader('content-type', answer.type);
      res.end(answer.body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let pages = 0;
  return {
    origin,
    requests,
    close: () => server.close(),
    async open(path, timeoutMs = 60_000) {
      if (!chromium) throw new Error("chromium is not installed (.ci/run installs Debian's chromium)");
      const id = String(++pages);
      const result = new Promise<Record<string, unknown>>((resolve) => waiting.set(id, resolve));
      const url = `${origin}${path}${path.includes('?') ? '&' : '?'}id=${id}`;
      const browser = spawn(
        chromium,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${mkdtempSync(join(tmpdir(), 'ravine-chromium-'))}`,
          '--remote-debugging-port=0',
          url,
        ],
        { stdio: 'ignore' },
      );
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          result,
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no result from ${path} in ${timeoutMs / 1000} s`)), timeoutMs))),
        ]);
      } finally {
        clearTimeout(timer);
        browser.kill('SIGKILL');
      }
    },
  };
}

/** The page-side half: `report(...)` posts to the id the page was opened with. Paste into a page's module script. */
export const reportScript = `const report = (body) => fetch('/result/' + new URLSearchParams(location.search).get('id'), { method: 'POST', body: JSON.stringify(body) });`;
