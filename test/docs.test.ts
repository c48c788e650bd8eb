// The README and the guides stay true. Every js/ts/mjs code block in them is, verbatim, a file of examples/,
// which this test runs with node; a `text` block right after it that starts with `$ node examples/<file>`
// is its output, compared line for line. sh, bash and text blocks are not run; a python block is, verbatim,
// part of a fixture under test/fixtures/; an html block imports only files the package ships. Every link
// and repository path they name exists; the optimizer lists name every row of the optimizer table; the
// README stays a front door (at most 300 lines) and no user doc carries issue numbers.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { optimizerTable } from '../src/optim/table.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(repo, path), 'utf8');

/** Markdown files under a folder of the repository, as paths relative to it. */
function markdownUnder(folder: string): string[] {
  return readdirSync(join(repo, folder), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => relative(repo, join(e.parentPath, e.name)))
    .sort();
}
/** What a user reads: the README and the guides. */
const userDocs = ['README.md', ...markdownUnder('docs')];
/** Every page whose code blocks and links are held to the rules. */
const pages = [...userDocs, 'CONTRIBUTING.md', 'CHANGELOG.md'];

interface Block {
  page: string;
  line: number;
  lang: string;
  code: string;
}

/** The fenced code blocks of a page, indented ones (inside list items) included, with their indent removed. */
function blocksOf(page: string): Block[] {
  const blocks: Block[] = [];
  let open: { indent: string; lang: string; line: number; lines: string[] } | null = null;
  read(page)
    .split('\n')
    .forEach((text, i) => {
      const fence = /^( *)```\s*([\w-]*)\s*$/.exec(text);
      if (open === null) {
        if (fence) open = { indent: fence[1], lang: fence[2], line: i + 1, lines: [] };
      } else if (fence && fence[1] === open.indent && fence[2] === '') {
        blocks.push({ page, line: open.line, lang: open.lang, code: `${open.lines.map((l) => l.slice(open!.indent.length)).join('\n')}\n` });
        open = null;
      } else {
        open.lines.push(text);
      }
    });
  if (open !== null) throw new Error(`${page}: a code block opened and never closed`);
  return blocks;
}

const blocks = pages.flatMap(blocksOf);
const RUN = ['js', 'mjs', 'ts'];
const NOT_RUN = ['sh', 'bash', 'text', 'python', 'html'];

/** examples/ files a block can be: every .mjs under examples/, by content. */
const exampleFiles = readdirSync(join(repo, 'examples'), { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile() && e.name.endsWith('.mjs'))
  .map((e) => relative(repo, join(e.parentPath, e.name)));
const exampleByContent = new Map(exampleFiles.map((path) => [read(path), path]));

/** Each runnable block: the example it is, and the output shown after it (when the page shows it). */
const shown = blocks.flatMap((block, i) => {
  if (!RUN.includes(block.lang)) return [];
  const example = exampleByContent.get(block.code);
  const next = blocks[i + 1];
  const prompt = example && next?.page === block.page && next.lang === 'text' ? `$ node ${example}\n` : undefined;
  const output = prompt && next.code.startsWith(prompt) ? next.code.slice(prompt.length) : undefined;
  return [{ block, example, output }];
});

function run(example: string): string {
  const cwd = mkdtempSync(join(tmpdir(), 'ravine-docs-'));
  return execFileSync(process.execPath, [join(repo, example)], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000 });
}

describe('every code block of the README and the guides', () => {
  it('finds blocks of each kind, so this test checks something', () => {
    expect(shown.length).toBeGreaterThanOrEqual(10);
    expect(blocks.filter((b) => b.lang === 'python').length).toBeGreaterThanOrEqual(1);
  });

  it.each(blocks.map((b) => [`${b.page}:${b.line}`, b] as const))('%s names a language this test knows', (_, block) => {
    expect([...RUN, ...NOT_RUN], `${block.page}:${block.line} opens a \`\`\`${block.lang} block`).toContain(block.lang);
  });

  it.each(shown.map((s) => [`${s.block.page}:${s.block.line}`, s] as const))('%s is a file of examples/, verbatim', (_, { block, example }) => {
    expect(example, `${block.page}:${block.line}: a ${block.lang} block that is no file of examples/ (make it one, or make it prose)`).toBeDefined();
  });

  it.each(blocks.filter((b) => b.lang === 'python').map((b) => [`${b.page}:${b.line}`, b] as const))(
    '%s is, verbatim, part of a fixture under test/fixtures/',
    (_, block) => {
      const fixtures = readdirSync(join(repo, 'test/fixtures'), { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && e.name.endsWith('.py'))
        .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
      expect(fixtures.some((source) => source.includes(block.code.trimEnd()))).toBe(true);
    },
  );

  it.each(blocks.filter((b) => b.lang === 'html').map((b) => [`${b.page}:${b.line}`, b] as const))('%s imports files the package ships', (_, block) => {
    const imports = [...block.code.matchAll(/from '\.\/node_modules\/ravine\/([^']+)'/g)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    const files = JSON.parse(read('package.json')).files as string[];
    for (const path of imports) {
      expect(existsSync(join(repo, path)), path).toBe(true);
      expect(
        files.some((f) => path === f || path.startsWith(`${f}/`)),
        `${path} is in package.json's files`,
      ).toBe(true);
    }
  });
});

describe('every example the docs show runs, and prints what they show', () => {
  const examples = [...new Map(shown.filter((s) => s.example).map((s) => [s.example!, s])).values()];

  it('every top-level example is shown in a doc', () => {
    const top = exampleFiles.filter((path) => dirname(path) === 'examples');
    expect(top.filter((path) => !examples.some((s) => s.example === path))).toEqual([]);
  });

  it.each(examples.map((s) => [s.example!, s] as const))('%s', (example, { block, output }) => {
    const printed = run(example);
    if (output !== undefined) expect(printed.trimEnd(), `the output ${block.page} shows after it`).toBe(output.trimEnd());
    else expect(printed.length, `${example} prints something`).toBeGreaterThan(0);
  });
});

describe('every link and repository path the docs name exists', () => {
  const slug = (heading: string) =>
    heading
      .trim()
      .toLowerCase()
      .replace(/[^\w\- ]/g, '')
      .replace(/ /g, '-');
  const headings = (path: string) => [...readFileSync(path, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]));
  const links = pages.flatMap((page) =>
    [...read(page).matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1])
      .filter((href) => !/^[a-z]+:/.test(href))
      .map((href) => [page, href] as const),
  );
  const paths = [
    ...new Set(userDocs.flatMap((page) => [...read(page).matchAll(/`((?:assembly|bench|demo|docs|examples|src|test)\/[\w./-]*[\w/])`/g)].map((m) => m[1]))),
  ];

  it('finds links and paths, so this test checks something', () => {
    expect(links.length).toBeGreaterThanOrEqual(40);
    expect(paths.length).toBeGreaterThanOrEqual(20);
  });

  it.each(links)('%s links to %s: the file exists, and the heading an anchor names', (page, href) => {
    const [file, anchor] = href.split('#');
    const target = file === '' ? join(repo, page) : resolve(dirname(join(repo, page)), file);
    expect(existsSync(target), target).toBe(true);
    if (anchor) expect(headings(target)).toContain(anchor);
  });

  it.each(paths)('%s exists in the repository', (path) => {
    expect(existsSync(join(repo, path)), path).toBe(true);
  });
});

describe('the docs as a whole', () => {
  const names = Object.values(optimizerTable).map((row) => row.name);

  it('the README is a front door: at most 300 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(300);
  });

  it.each(['README.md', 'docs/api.md'])('%s names every optimizer of the table', (page) => {
    const text = read(page);
    expect(names.filter((name) => !new RegExp(`\\b${name}\\b`).test(text))).toEqual([]);
  });

  it.each(userDocs)('%s carries no issue numbers (history goes to CHANGELOG.md)', (page) => {
    expect(read(page).match(/\bissues? #?\d+/gi)).toBeNull();
  });

  it.each(pages)("%s's table cells are sentences, not paragraphs (at most 300 characters)", (page) => {
    const cells = read(page)
      .split('\n')
      .filter((l) => l.startsWith('|'))
      .flatMap((l) => l.split(/(?<!\\)\|/));
    expect(cells.filter((c) => c.trim().length > 300)).toEqual([]);
  });
});
