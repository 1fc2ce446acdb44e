// The bundle inlines third-party packages, so their licences (MIT and friends require the
// copyright notice to travel with the code) go into one notices file beside it. The package
// list comes from esbuild's metafile: exactly what was inlined, nothing that was tree-shaken away.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/** `node_modules/a/node_modules/@s/b/lib/x.js` → the folder of `@s/b` (the innermost package). */
function packageDirOf(inputPath, root) {
  const parts = inputPath.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const length = parts[at + 1]?.startsWith('@') ? 2 : 1;
  return join(root, ...parts.slice(0, at + 1 + length));
}

function licenceText(dir) {
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying|notice)(\.|-|$)/i.test(name));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : undefined;
}

/** One section per inlined package (name, version, licence id, licence text), sorted by name. */
export function packagesInBundle(metafile, root) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageDirOf(input, root);
    if (dir && existsSync(join(dir, 'package.json'))) dirs.add(dir);
  }
  return [...dirs]
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'see package');
      const author = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name;
      return { name: pkg.name, version: pkg.version, license, author, text: licenceText(dir), dir: dir.split(sep).join('/') };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

export function renderNotices(packages, legalComments) {
  const lines = [
    'Third-party software inlined in index.js',
    '',
    'index.js bundles the packages listed below. Their licence notices follow, then the legal',
    'comments found in their sources.',
    '',
  ];
  for (const p of packages) {
    lines.push('='.repeat(78), `${p.name} ${p.version} (${p.license})`, '='.repeat(78), '');
    const declared = `No licence file ships in the package; its package.json declares the ${p.license} licence${p.author ? `, author ${p.author}` : ''}.`;
    lines.push(p.text ?? declared, '');
  }
  if (legalComments.trim()) lines.push('='.repeat(78), 'Legal comments from the bundled sources', '='.repeat(78), '', legalComments.trim(), '');
  return lines.join('\n');
}
