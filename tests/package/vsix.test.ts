/**
 * The built .vsix: small enough for the marketplace, holding a task folder the agent can run
 * (every execution target, the files the bundle reads beside itself), a manifest whose task
 * contribution names that folder, and a private build that cannot collide with the public one.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { packagedBuilds, PRIVATE_EXTENSION_ID, PRIVATE_PUBLISHER, type Packaged } from './support/packaged';
import { loopbackGuard, manifestFile, repoRoot, taskFolder, taskJsonFile } from './support/paths';
import { readJson, type TaskJson } from './support/taskJson';
import { unpack } from './support/unpack';
import { readZip, type ZipEntry } from './support/zip';

const MARKETPLACE_LIMIT = 25 * 1024 * 1024;
const sourceTaskJsonText = readFileSync(taskJsonFile, 'utf8');
const sourceTask = JSON.parse(sourceTaskJsonText) as TaskJson;
const sourceManifest = readJson<{ id: string; publisher: string; version: string }>(manifestFile);
const { version } = readJson<{ version: string }>(join(repoRoot, 'package.json'));

interface Contribution {
  type: string;
  targets: string[];
  properties: { name: string };
}

function json<T>(entries: Map<string, ZipEntry>, name: string): T {
  const entry = entries.get(name);
  assert.ok(entry, `${name} is not in the package`);
  return JSON.parse(entry.data().toString('utf8')) as T;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

describe('the .vsix', function () {
  let publicBuild: Packaged;
  let privateBuild: Packaged;
  let entries: Map<string, ZipEntry>;

  before(async function () {
    this.timeout(120000);
    ({ public: publicBuild, private: privateBuild } = await packagedBuilds());
    entries = readZip(publicBuild.vsixPath);
    const bundle = entries.get(`${taskFolder}/dist/index.js`);
    console.log(`      .vsix ${mib(publicBuild.size)}; dist/index.js ${mib(bundle?.size ?? 0)} unpacked`);
  });

  it('is named <publisher>.<id>-<version>.vsix', () => {
    assert.ok(publicBuild.vsixPath.endsWith(`${sourceManifest.publisher}.${sourceManifest.id}-${version}.vsix`), publicBuild.vsixPath);
  });

  it('is under the marketplace limit of 25 MiB (aim: a few MiB)', () => {
    assert.ok(publicBuild.size < MARKETPLACE_LIMIT, mib(publicBuild.size));
    assert.ok(publicBuild.size < 5 * 1024 * 1024, `${mib(publicBuild.size)}: something large crept in`);
  });

  it('is listed as a public Preview for Azure DevOps Services, with support and Q&A on GitHub issues', () => {
    const vsixManifest = entries.get('extension.vsixmanifest')?.data().toString('utf8') ?? '';
    assert.match(vsixManifest, /<GalleryFlags>Public Preview<\/GalleryFlags>/);
    assert.match(vsixManifest, /<InstallationTarget Id="Microsoft\.VisualStudio\.Services\.Cloud"\/>/);
    assert.doesNotMatch(vsixManifest, /InstallationTarget Id="Microsoft\.(TeamFoundation\.Server|VisualStudio\.Services)"/);
    assert.match(vsixManifest, /<ReleaseNotes>https:\/\/github\.com\/acr-transfer\/acr-transfer\/blob\/main\/RELEASE-NOTES\.md<\/ReleaseNotes>/);
    assert.match(vsixManifest, /Property Id="Microsoft\.VisualStudio\.Services\.Links\.Support" Value="https:\/\/github\.com\/acr-transfer\/acr-transfer\/issues"/);
    assert.match(vsixManifest, /Property Id="Microsoft\.VisualStudio\.Services\.CustomerQnALink" Value="https:\/\/github\.com\/acr-transfer\/acr-transfer\/issues"/);
  });

  it('carries every execution target of the packaged task.json', () => {
    const task = json<TaskJson>(entries, `${taskFolder}/task.json`);
    for (const [handler, { target }] of Object.entries(task.execution)) {
      assert.ok(entries.has(`${taskFolder}/${target}`), `${handler}: ${target} is missing`);
    }
  });

  it('carries what the bundle reads beside itself, and the task strings and icon', () => {
    for (const name of [
      'dist/module.json', // azure-arm-rest's loc strings, read from __dirname when it loads
      'dist/Strings/resources.resjson/en-US/resources.resjson',
      'dist/THIRD-PARTY-NOTICES.txt',
      'Strings/resources.resjson/en-US/resources.resjson',
      'icon.png',
    ]) {
      assert.ok(entries.has(`${taskFolder}/${name}`), `${name} is missing`);
    }
  });

  it("never loads Node's deprecated built-in punycode (DEP0040): the bundle carries the userland package", () => {
    const bundle = entries.get(`${taskFolder}/dist/index.js`)?.data().toString('utf8') ?? '';
    assert.ok(bundle.length > 0, 'dist/index.js is missing');
    assert.doesNotMatch(bundle, /require\(["'](node:)?punycode["']\)/);
    assert.match(entries.get(`${taskFolder}/dist/THIRD-PARTY-NOTICES.txt`)?.data().toString('utf8') ?? '', /^punycode 2\./m);
  });

  it('holds nothing in the task folder but task.json, icon.png, Strings and dist', () => {
    const topLevel = new Set([...entries.keys()].filter((n) => n.startsWith(`${taskFolder}/`)).map((n) => n.slice(taskFolder.length + 1).split('/')[0]).filter(Boolean));
    assert.deepEqual([...topLevel].sort(), ['Strings', 'dist', 'icon.png', 'task.json']);
    const stray = [...entries.keys()].filter((n) => /node_modules|\.map$|\.ts$/.test(n));
    assert.deepEqual(stray, []);
  });

  it('has a task contribution whose name is the packaged folder holding task.json', () => {
    const manifest = json<{ contributions: Contribution[] }>(entries, 'extension.vsomanifest');
    const tasks = manifest.contributions.filter((c) => c.type === 'ms.vss-distributed-task.task');
    assert.equal(tasks.length, 1);
    assert.deepEqual(tasks[0].targets, ['ms.vss-distributed-task.tasks']);
    assert.ok(taskFolder.startsWith(`${tasks[0].properties.name}/`), `${tasks[0].properties.name} does not hold ${taskFolder}`);
    assert.ok(entries.has(`${tasks[0].properties.name}/${taskFolder.split('/').pop() ?? ''}/task.json`));
  });

  it('packages task.json unchanged and its strings from it', () => {
    assert.equal(entries.get(`${taskFolder}/task.json`)?.data().toString('utf8'), sourceTaskJsonText);
  });

  describe('the packaged task, run as the agent runs it', () => {
    let dir: string;
    let target: string;
    before(() => {
      dir = unpack(entries, `${taskFolder}/`);
      target = join(dir, readJson<TaskJson>(join(dir, 'task.json')).execution.Node20_1.target);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    async function runTask(env: Record<string, string>): Promise<string> {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [target], {
        cwd: dir,
        env: { PATH: process.env.PATH, NODE_OPTIONS: `--require ${loopbackGuard}`, AGENT_TEMPDIRECTORY: dir, SYSTEM_CULTURE: 'en-US', ...env },
      });
      const output = `${stdout}\n${stderr}`;
      assert.doesNotMatch(output, /ENOENT|Not found resource file path|Cannot find module|Can't find loc string/);
      assert.match(stdout, /##vso\[task\.complete result=Failed;\]/);
      return stdout;
    }

    it('loads, resolves its messages from inside the bundle, and names an empty connection input as YAML and the form do', async () => {
      // No inputs. task-lib's own "Input required: sourceConnection" named the input as
      // task.json does; YAML users write the alias, the form shows the label.
      const stdout = await runTask({});
      assert.match(stdout, /^##vso\[task\.complete result=Failed;\]The source service connection is missing: set the YAML input sourceAzureSubscription \(or sourceConnection\), "Source Azure subscription" on the classic form, to an Azure Resource Manager service connection\.$/m);
      assert.doesNotMatch(stdout, /Input required|Options_ConnectionMissing/);
    });

    it('reads a service connection through the bundled azure-arm-rest (module.json, msalv3)', async () => {
      // A service-principal connection without a subscription: azure-arm-rest reads it (loading
      // dist/module.json and the bundled msalv3), then the task refuses it before any request.
      const stdout = await runTask({
        INPUT_SOURCECONNECTION: 'conn',
        INPUT_TARGETCONNECTION: 'conn',
        INPUT_SOURCEREGISTRY: 'contosoprod',
        INPUT_TARGETREGISTRY: 'contosodr',
        ENDPOINT_URL_conn: 'https://127.0.0.1:9/',
        ENDPOINT_AUTH_conn: JSON.stringify({ scheme: 'ServicePrincipal', parameters: { serviceprincipalid: 'app', serviceprincipalkey: 'secret', tenantid: 'tenant', authenticationType: 'spnKey' } }),
        ENDPOINT_AUTH_SCHEME_conn: 'ServicePrincipal',
        ENDPOINT_AUTH_PARAMETER_conn_SERVICEPRINCIPALID: 'app',
        ENDPOINT_AUTH_PARAMETER_conn_SERVICEPRINCIPALKEY: 'secret',
        ENDPOINT_AUTH_PARAMETER_conn_TENANTID: 'tenant',
        ENDPOINT_AUTH_PARAMETER_conn_AUTHENTICATIONTYPE: 'spnKey',
      });
      // Reaching this verdict means azure-arm-rest loaded (its module.json and the bundled
      // msalv3 are required when it loads) and read the connection; its debug lines are muted
      // while it does, so they cannot be the evidence.
      assert.match(stdout, /^##vso\[task\.complete result=Failed;\]The source service connection is not scoped to a subscription\./m);
    });
  });

  describe('a private build (--publisher, --extension-id)', () => {
    let privateEntries: Map<string, ZipEntry>;
    before(() => {
      privateEntries = readZip(privateBuild.vsixPath);
    });

    it('has the other publisher and extension id, and is not public', () => {
      assert.ok(privateBuild.vsixPath.endsWith(`${PRIVATE_PUBLISHER}.${PRIVATE_EXTENSION_ID}-${version}.vsix`), privateBuild.vsixPath);
      const vsixManifest = privateEntries.get('extension.vsixmanifest')?.data().toString('utf8') ?? '';
      assert.match(vsixManifest, new RegExp(`<Identity [^>]*Id="${PRIVATE_EXTENSION_ID}"`));
      assert.match(vsixManifest, new RegExp(`<Identity [^>]*Publisher="${PRIVATE_PUBLISHER}"`));
      assert.doesNotMatch(vsixManifest, /Public/);
    });

    it('carries a task with another, deterministic id and another name', async () => {
      const task = json<TaskJson>(privateEntries, `${taskFolder}/task.json`);
      const { uuidV5 } = (await import(pathToFileURL(join(repoRoot, 'scripts', 'lib', 'identity.mjs')).href)) as { uuidV5: (ns: string, name: string) => string };
      assert.notEqual(task.id, sourceTask.id);
      assert.equal(task.id, uuidV5(sourceTask.id, `${PRIVATE_PUBLISHER}.${PRIVATE_EXTENSION_ID}`));
      assert.equal(task.name, 'AcrTransferDev');
      assert.ok(task.friendlyName.length <= 40 && task.friendlyName !== sourceTask.friendlyName, task.friendlyName);
      assert.deepEqual(task.execution, sourceTask.execution);
      const strings = json<Record<string, string>>(privateEntries, `${taskFolder}/Strings/resources.resjson/en-US/resources.resjson`);
      assert.equal(strings['loc.friendlyName'], task.friendlyName);
    });

    it('leaves the source task.json untouched', () => {
      assert.equal(readFileSync(taskJsonFile, 'utf8'), sourceTaskJsonText);
    });
  });
});
