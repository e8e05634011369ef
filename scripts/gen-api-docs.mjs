#!/usr/bin/env node
// Generates docs/api/ (Markdown) from the TSDoc comments of everything
// lib/index.ts exports: one page per area of lib/, plus an index.
//
//   node scripts/gen-api-docs.mjs            write docs/api/
//   node scripts/gen-api-docs.mjs --check    exit 1 when docs/api/ is out of date
//   node scripts/gen-api-docs.mjs --out DIR  write elsewhere
//
// Why not typedoc: it needs the TypeScript compiler API, and the repository
// builds with TypeScript 7 (native), which has none. ts-morph (a devDependency)
// carries its own TypeScript 5/6 compiler API and installs no `tsc` binary, so
// it cannot shadow the project's compiler.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Node, Project } from 'ts-morph';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(root, 'docs', 'api');

/** Pages, by the first folder under lib/ (apps/<name> by the app). */
const AREAS = {
  job: ['Jobs, groups and tasks', 'Job, TaskGroup, Task, Node, Cluster, task outputs and stop conditions.'],
  net: ['Nets and ops', 'Net, NetBuilder, ops, control flow and gradients.'],
  session: ['Sessions and JobRunner', 'Running task groups and jobs, epochs, events, checkpoint hooks.'],
  runtime: ['Workspaces and plans', 'The native workspace and compiled plans.'],
  data: ['Data: readers, pipes, files', 'Schemas, datasets, readers, queues, pipe(), file readers, Hogwild helpers.'],
  checkpoint: ['Checkpoints', 'CheckpointManager and the checkpoint files.'],
  model: ['Models and optimizers', 'ModelHelper layers and the optimizers.'],
  fasttext: ['fastText', 'The fastText supervised model as a Job, its model file, prediction and evaluation.'],
  errors: ['Errors', 'HogwildError and one subclass per failure kind.'],
  native: ['Native types', 'Types of values that come from the native addon.'],
};

function areaOf(file) {
  const rel = relative(join(root, 'lib'), file).split(/[\\/]/);
  if (rel[0] === 'apps') return rel[1];
  // lib/context holds the job contexts' machinery (moved below lib/net): documented with the jobs.
  return rel[0] === 'context' ? 'job' : rel[0];
}

const project = new Project({ tsConfigFilePath: join(root, 'tsconfig.json'), skipAddingFilesFromTsConfig: true });
const index = project.addSourceFileAtPath(join(root, 'lib', 'index.ts'));
project.resolveSourceFileDependencies();

const isInternal = (node) => docsOf(node).some((d) => d.getTags().some((t) => t.getTagName() === 'internal'));

function docsOf(node) {
  if (Node.isVariableDeclaration(node)) return node.getVariableStatement()?.getJsDocs() ?? [];
  return Node.isJSDocable(node) ? node.getJsDocs() : [];
}

const clean = (s) =>
  s
    .replace(/\r/g, '')
    .replace(/^\s*\n/, '')
    .replace(/\{@link\s+([^}\s]+)(?:\s+([^}]+))?\}/g, (_, target, label) => (label ? `${label} (\`${target}\`)` : `\`${target}\``))
    .trimEnd();

/** Description and tags of a node's last doc comment, as Markdown. */
function doc(node) {
  const d = docsOf(node).at(-1);
  if (!d) return { text: '', examples: [], params: [], summary: '' };
  const text = clean(d.getDescription());
  const examples = [];
  const params = [];
  let returns = '';
  for (const t of d.getTags()) {
    const name = t.getTagName();
    const comment = clean(typeof t.getCommentText === 'function' ? (t.getCommentText() ?? '') : '');
    if (name === 'example') examples.push(comment.replace(/^```\w*\n?|```$/g, '').trim());
    else if (name === 'param' && Node.isJSDocParameterTag(t)) params.push([t.getName(), comment.replace(/^-\s*/, '')]);
    else if (name === 'returns') returns = comment;
  }
  const summary = text.split(/\n\n/)[0].replace(/\s*\n\s*/g, ' ').split(/(?<=[.!?])\s/)[0] ?? '';
  return { text, examples, params, returns, summary };
}

/** The declaration's head: without bodies and initializers, whitespace folded. */
function signature(node, name) {
  let text;
  if (Node.isFunctionDeclaration(node) || Node.isMethodDeclaration(node)) {
    const overloads = node.getOverloads();
    const all = overloads.length > 0 ? overloads : [node];
    text = all.map((f) => `${f.getText().replace(/\{[\s\S]*$/, '').replace(/^export\s+/, '').replace(/\/\*\*[\s\S]*?\*\/\s*/g, '').trim()}${Node.isFunctionDeclaration(f) ? '' : ''}`).join('\n');
  } else if (Node.isClassDeclaration(node)) {
    const ext = node.getExtends()?.getText();
    const impl = node.getImplements().map((i) => i.getText());
    text = `${node.isAbstract() ? 'abstract ' : ''}class ${name}${ext ? ` extends ${ext}` : ''}${impl.length ? ` implements ${impl.join(', ')}` : ''}`;
  } else if (Node.isInterfaceDeclaration(node)) {
    const ext = node.getExtends().map((e) => e.getText());
    text = `interface ${name}${node.getTypeParameters().length ? `<${node.getTypeParameters().map((p) => p.getText()).join(', ')}>` : ''}${ext.length ? ` extends ${ext.join(', ')}` : ''}`;
  } else if (Node.isTypeAliasDeclaration(node)) {
    text = node.getText().replace(/^export\s+/, '').replace(/\/\*\*[\s\S]*?\*\/\s*/g, '');
  } else if (Node.isVariableDeclaration(node)) {
    const type = node.getTypeNode()?.getText() ?? node.getType().getText(node);
    text = `const ${name}: ${type}`;
  } else if (Node.isEnumDeclaration(node)) {
    text = `enum ${name} { ${node.getMembers().map((m) => m.getName()).join(', ')} }`;
  } else {
    text = node.getText().split('\n')[0];
  }
  const folded = text.replace(/import\("[^"]+"\)\./g, '').replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')');
  return folded.length > 400 ? `${folded.slice(0, 400)} …` : folded;
}

function kindOf(node) {
  if (Node.isClassDeclaration(node)) return 'class';
  if (Node.isFunctionDeclaration(node)) return 'function';
  if (Node.isInterfaceDeclaration(node)) return 'interface';
  if (Node.isTypeAliasDeclaration(node)) return 'type';
  if (Node.isEnumDeclaration(node)) return 'enum';
  if (Node.isVariableDeclaration(node)) return 'const';
  return 'export';
}

/** Public members of a class or an interface: one line each. */
function members(node) {
  const rows = [];
  const add = (m, label) => {
    const name = m.getName?.() ?? '';
    if (!name || name.startsWith('_') || name.startsWith('#') || isInternal(m)) return;
    if (Node.isModifierable(m) && (m.hasModifier('private') || m.hasModifier('protected'))) return;
    rows.push([label(m, name), doc(m).summary]);
  };
  if (Node.isClassDeclaration(node)) {
    for (const c of node.getConstructors().slice(0, 1)) {
      if (!c.hasModifier('private') && !c.hasModifier('protected')) rows.push([`new ${node.getName()}(${c.getParameters().map((p) => p.getText().replace(/^(readonly|private|public|protected)\s+/, '').replace(/\s+/g, ' ')).join(', ')})`, doc(c).summary]);
    }
    for (const p of node.getProperties()) add(p, (m, n) => `${m.isStatic() ? 'static ' : ''}${m.isReadonly() ? 'readonly ' : ''}${n}${m.hasQuestionToken() ? '?' : ''}: ${(m.getTypeNode()?.getText() ?? m.getType().getText(m)).replace(/\s+/g, ' ')}`);
    for (const a of node.getGetAccessors()) add(a, (m, n) => `get ${n}(): ${(m.getReturnTypeNode()?.getText() ?? m.getReturnType().getText(m)).replace(/\s+/g, ' ')}`);
    for (const m of node.getMethods()) {
      add(m, (x, n) => {
        const sig = (x.getOverloads().length ? x.getOverloads()[0] : x);
        return `${x.isStatic() ? 'static ' : ''}${x.isAsync() ? 'async ' : ''}${n}(${sig.getParameters().map((p) => p.getText().replace(/\s+/g, ' ')).join(', ')})${sig.getReturnTypeNode() ? `: ${sig.getReturnTypeNode().getText().replace(/\s+/g, ' ')}` : ''}`;
      });
    }
  } else if (Node.isInterfaceDeclaration(node)) {
    for (const p of node.getProperties()) add(p, (m, n) => `${m.isReadonly() ? 'readonly ' : ''}${n}${m.hasQuestionToken() ? '?' : ''}: ${(m.getTypeNode()?.getText() ?? '').replace(/\s+/g, ' ')}`);
    for (const m of node.getMethods()) add(m, (x, n) => `${n}(${x.getParameters().map((p) => p.getText().replace(/\s+/g, ' ')).join(', ')})${x.getReturnTypeNode() ? `: ${x.getReturnTypeNode().getText().replace(/\s+/g, ' ')}` : ''}`);
  }
  return rows;
}

/** GitHub's heading anchors: lower case, punctuation dropped, `-1`, `-2` … on repeats within a page. */
function anchorer() {
  const seen = new Map();
  return (name) => {
    const base = name.toLowerCase().replace(/[^a-z0-9_ -]/g, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}-${n}`;
  };
}
const cell = (s) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

// Collect the exports, by area.
const pages = new Map();
const exported = [...index.getExportedDeclarations()].sort(([a], [b]) => a.localeCompare(b));
for (const [name, decls] of exported) {
  const node = decls.find((d) => !Node.isSourceFile(d)) ?? decls[0];
  if (!node || Node.isSourceFile(node) || isInternal(node)) continue;
  const file = node.getSourceFile().getFilePath();
  const area = areaOf(file);
  if (!pages.has(area)) pages.set(area, []);
  pages.get(area).push({ name, node, file: relative(root, file).replace(/\\/g, '/'), line: node.getStartLineNumber() });
}

const header = '<!-- Generated by scripts/gen-api-docs.mjs from the TSDoc comments of lib/ (npm run docs:api). Do not edit by hand. -->\n\n';
const files = new Map();
const indexRows = [];
const areaOrder = [...Object.keys(AREAS), ...[...pages.keys()].filter((a) => !(a in AREAS)).sort()];
for (const area of areaOrder) {
  const entries = pages.get(area);
  if (!entries) continue;
  const [title, blurb] = AREAS[area] ?? [area, ''];
  const out = [`${header}# ${title}\n`, blurb ? `${blurb}\n` : '', `[API index](README.md)\n`];
  indexRows.push(`\n## [${title}](${area}.md)\n`, '| Export | Kind | Summary |', '| --- | --- | --- |');
  const anchor = anchorer();
  for (const e of entries) {
    const d = doc(e.node);
    const kind = kindOf(e.node);
    indexRows.push(`| [${e.name}](${area}.md#${anchor(e.name)}) | ${kind} | ${cell(d.summary)} |`);
    out.push(`## ${e.name}\n`, `\`\`\`ts\n${signature(e.node, e.name)}\n\`\`\`\n`);
    if (d.text) out.push(`${d.text}\n`);
    if (d.params.length) out.push(`Parameters:\n\n${d.params.map(([n, c]) => `- \`${n}\`${c ? `: ${c}` : ''}`).join('\n')}\n`);
    if (d.returns) out.push(`Returns: ${d.returns}\n`);
    const rows = members(e.node);
    if (rows.length) out.push(`| Member | Summary |\n| --- | --- |\n${rows.map(([m, s]) => `| \`${cell(m)}\` | ${cell(s)} |`).join('\n')}\n`);
    for (const ex of d.examples) out.push(`Example:\n\n\`\`\`ts\n${ex}\n\`\`\`\n`);
    out.push(`<sub>[${e.file}:${e.line}](../../${e.file}#L${e.line})</sub>\n`);
  }
  files.set(`${area}.md`, out.filter(Boolean).join('\n'));
}
const total = [...pages.values()].reduce((n, e) => n + e.length, 0);
files.set(
  'README.md',
  `${header}# API reference\n\nEverything \`import … from 'hogwild'\` gives (${total} exports), from the TSDoc comments of \`lib/\`. ` +
    'Concepts are in the [guide](../guide.md).\n' +
    `${indexRows.join('\n')}\n`,
);

if (check) {
  const stale = [...files].filter(([f, text]) => !existsSync(join(outDir, f)) || readFileSync(join(outDir, f), 'utf8') !== text).map(([f]) => f);
  const extra = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith('.md') && !files.has(f)) : [];
  if (stale.length || extra.length) {
    console.error(`docs/api is out of date (${[...stale, ...extra].join(', ')}): run npm run docs:api`);
    process.exit(1);
  }
  console.log(`docs/api is up to date (${files.size} pages, ${total} exports)`);
} else {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [f, text] of files) writeFileSync(join(outDir, f), text);
  console.log(`wrote ${files.size} pages (${total} exports) to ${relative(root, outDir) || outDir}`);
}
