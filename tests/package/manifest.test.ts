/**
 * vss-extension.json and the files it names, before packaging: what tfx and the marketplace
 * require, and icons that are the committed script's output.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { manifestFile, repoRoot, taskDir, taskFolder } from './support/paths';
import { readPng } from './support/png';
import { readJson } from './support/taskJson';

interface Manifest {
  manifestVersion: number;
  id: string;
  publisher: string;
  version: string;
  name: string;
  description: string;
  categories: string[];
  targets: { id: string }[];
  icons: { default: string };
  content: { details: { path: string }; license: { path: string } };
  files: { path: string }[];
  scopes?: string[];
  public?: boolean;
  galleryFlags?: string[];
  releaseNotes?: string;
  links: Record<string, { uri: string }>;
  repository: { type: string; uri: string };
  CustomerQnASupport?: { enablemarketplaceqna?: boolean; url?: string };
  contributions: { id: string; type: string; targets: string[]; properties: { name: string } }[];
}

const manifest = readJson<Manifest>(manifestFile);

describe('vss-extension.json', () => {
  it('has the fields tfx and the marketplace require', () => {
    assert.equal(manifest.manifestVersion, 1);
    assert.match(manifest.id, /^[A-Za-z0-9][A-Za-z0-9_-]*$/);
    assert.match(manifest.publisher, /^[A-Za-z0-9][A-Za-z0-9_-]*$/);
    assert.ok(manifest.description.length <= 200, `description has ${manifest.description.length} characters`);
    assert.deepEqual(manifest.categories, ['Azure Pipelines']);
    assert.deepEqual(manifest.scopes, []);
  });

  describe('marketplace listing', () => {
    const REPOSITORY = 'https://github.com/acr-transfer/acr-transfer';
    const text = (file: string): string => readFileSync(join(repoRoot, file), 'utf8');

    it('is a public Preview (a first public release), and says so in the release notes', () => {
      assert.equal(manifest.public, true);
      assert.deepEqual(manifest.galleryFlags, ['Preview']);
      assert.match(text('RELEASE-NOTES.md'), /public Preview/);
    });

    it('installs into Azure DevOps Services only, as the README and the overview say: Azure DevOps Server ships 3.x agents, the task needs 4.248.0', () => {
      assert.deepEqual(manifest.targets, [{ id: 'Microsoft.VisualStudio.Services.Cloud' }]);
      const minimumAgent = readJson<{ minimumAgentVersion: string }>(join(taskDir, 'task.json')).minimumAgentVersion;
      assert.equal(minimumAgent, '4.248.0');
      for (const file of ['README.md', 'overview.md']) {
        assert.match(text(file), /Azure DevOps Services/, file);
        assert.match(text(file), /Azure DevOps Server/, file);
        assert.ok(text(file).includes(minimumAgent), `${file} names agent ${minimumAgent}`);
      }
    });

    it('links the repository, its issues for support and for Q&A', () => {
      assert.deepEqual(manifest.repository, { type: 'git', uri: REPOSITORY });
      assert.equal(manifest.links['repository'].uri, REPOSITORY);
      assert.equal(manifest.links['support'].uri, `${REPOSITORY}/issues`);
      assert.equal(manifest.links['issues'].uri, `${REPOSITORY}/issues`);
      assert.deepEqual(manifest.CustomerQnASupport, { enablemarketplaceqna: true, url: `${REPOSITORY}/issues` });
    });

    it('points its release notes at RELEASE-NOTES.md, which has a section for every version so far', () => {
      assert.equal(manifest.releaseNotes, `${REPOSITORY}/blob/main/RELEASE-NOTES.md`);
      const headings = [...text('RELEASE-NOTES.md').matchAll(/^## (\S+)/gm)].map((m) => m[1]);
      for (const version of ['0.1.0', '0.2.0', '0.2.1', '0.3.0', '0.4.0', '0.5.0', '0.6.0', '0.7.0', '0.8.0', '0.9.0', '0.10.0', '0.11.0']) assert.ok(headings.includes(version), `no section for ${version}`);
      assert.ok(headings.includes(manifest.version) || headings.includes('Unreleased'), `no section for ${manifest.version}`);
    });
  });

  it('has the version of package.json', () => {
    assert.equal(manifest.version, readJson<{ version: string }>(join(repoRoot, 'package.json')).version);
  });

  it('contributes one task whose name is the folder that holds its task.json one level down', () => {
    assert.equal(manifest.contributions.length, 1);
    const [task] = manifest.contributions;
    assert.equal(task.type, 'ms.vss-distributed-task.task');
    assert.deepEqual(task.targets, ['ms.vss-distributed-task.tasks']);
    assert.ok(taskFolder.startsWith(`${task.properties.name}/`));
    assert.ok(existsSync(join(repoRoot, task.properties.name, 'AcrTransferV1', 'task.json')));
  });

  it('packages only what the agent needs from the task folder', () => {
    assert.deepEqual(
      manifest.files.map((file) => file.path),
      ['task.json', 'icon.png', 'Strings', 'dist'].map((name) => `${taskFolder}/${name}`),
    );
  });

  it('names an overview, a licence and an icon that exist', () => {
    for (const path of [manifest.content.details.path, manifest.content.license.path, manifest.icons.default]) {
      assert.ok(existsSync(join(repoRoot, path)), path);
    }
  });

  describe('icons', () => {
    type Rasterise = (size: number) => Uint8Array;
    let rasterise: Rasterise;
    before(async () => {
      ({ rasterise } = (await import(pathToFileURL(join(repoRoot, 'scripts', 'lib', 'iconArt.mjs')).href)) as { rasterise: Rasterise });
    });

    for (const { what, file, size } of [
      { what: 'the marketplace icon', file: () => join(repoRoot, manifest.icons.default), size: 128 },
      { what: 'the task icon', file: () => join(taskDir, 'icon.png'), size: 32 },
    ]) {
      it(`${what} is a ${size}×${size} RGBA PNG drawn by scripts/icons.mjs`, () => {
        const png = readPng(file());
        assert.deepEqual([png.width, png.height, png.colourType], [size, size, 6]);
        assert.ok(Buffer.from(rasterise(size)).equals(png.rgba), 'the committed icon differs from the drawing: run npm run icons');
      });
    }
  });
});
