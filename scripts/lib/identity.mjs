// Who the packaged extension and its task claim to be. The public build uses vss-extension.json
// and task.json as they are. A private build (another publisher or extension id, e.g. a test
// build installed in the same organisation as the public one) must also carry another task id
// and name: Azure DevOps keys tasks by id and name, and silently ignores the second extension's
// task when both claim the same ones. The private task id is derived, never random, so every
// package of the same private build upgrades the same task instead of adding a new one.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';

/** RFC 4122 name-based UUID, version 5 (SHA-1), in the namespace of another UUID. */
export function uuidV5(namespace, name) {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`);
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `acr-transfer-dev` → `AcrTransferDev`: a task name YAML can use (`AcrTransferDev@1`). */
function pascalCase(text) {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * The identity to package under. `publisher` and `extensionId` default to the manifest's;
 * when either differs the build is private and the task gets a derived id, name and label.
 */
export function packageIdentity(manifest, task, { publisher = manifest.publisher, extensionId = manifest.id } = {}) {
  for (const [what, value] of [['publisher', publisher], ['extension id', extensionId]]) {
    if (!ID_PATTERN.test(value)) throw new Error(`${what} "${value}" may hold only letters, digits, - and _`);
  }
  const isPrivate = publisher !== manifest.publisher || extensionId !== manifest.id;
  if (!isPrivate) {
    return { publisher, extensionId, isPrivate, extensionName: manifest.name, task: { id: task.id, name: task.name, friendlyName: task.friendlyName } };
  }
  // Named after the extension id when that changed (AcrTransferDev), else after the publisher.
  const suffix = extensionId !== manifest.id ? extensionId : publisher;
  const candidate = pascalCase(extensionId);
  const name = extensionId !== manifest.id && candidate !== task.name ? candidate : `${task.name}${pascalCase(publisher)}`;
  return {
    publisher,
    extensionId,
    isPrivate,
    extensionName: `${manifest.name} (${suffix})`,
    task: {
      id: uuidV5(task.id, `${publisher}.${extensionId}`),
      name,
      friendlyName: `${task.friendlyName} (${suffix})`.slice(0, 40),
    },
  };
}
