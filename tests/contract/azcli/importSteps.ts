/**
 * What az 2.45 reads from the answers of an `az acr import` (azcli/README.md, "Import
 * sequences"), for the import replays and the import experiments: the target's resource group
 * from the resources list, a managed SKU, the source among the current subscription's
 * registries, the POST's 202 with `Location` and `Retry-After`, and each poll by its status.
 */
import { strict as assert } from 'node:assert';
import type { Emulator } from '../../../testkit/emulator';
import { command, isImportPost, isPoll, type AzExchange, type AzReplay, type Step } from './azReplay';

/** `before` for AzReplay.replay: az polls at once, then after Retry-After; the import lands in that wait. */
export function landBeforeSecondPoll(em: Emulator): (x: AzExchange) => void {
  let polls = 0;
  return (x) => {
    if (isPoll(x) && polls++ > 0) em.completeImports();
  };
}

/**
 * The stand-in's digests of the source tags (as az printed them in `show-tags --detail` of
 * srcreg and srcregb) → the emulator's digests of the same tags: the only recorded data a
 * replay must translate, since digests are the sha256 of bytes each server made up.
 */
export function standInDigests(em: Emulator): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, registry] of [
    ['acr-repository-show-tags-detail', 'srcreg'],
    ['acr-repository-show-tags-other-subscription', 'srcregb'],
  ] as const) {
    for (const t of command(name).stdout as { name: string; digest: string }[]) {
      const ours = em.registry(registry).tags('app').get(t.name);
      if (!ours) throw new Error(`${registry} has no app:${t.name}`);
      map.set(t.digest, ours);
    }
  }
  return map;
}

export function useStandInDigests(az: AzReplay): AzReplay {
  for (const [from, to] of standInDigests(az.em)) az.rewrite.set(from, to);
  return az;
}

interface Listed {
  value: { id: string; name: string; properties?: { loginServer: string } }[];
  nextLink?: string;
}

/** The resources list, the target GET and the registries list, as az reads them before its POST. */
export function assertImportLookups(em: Emulator, steps: readonly Step[]): void {
  const target = em.registry('dstreg');
  for (const { x, res } of steps) {
    const where = `#${x.n} ${x.request.path}`;
    if (x.request.path.endsWith('/resources')) {
      assert.equal(res.json<Listed>().value.find((v) => v.name === 'dstreg')?.id, target.resourceId, where);
    } else if (x.request.path.endsWith('/registries/dstreg')) {
      // "Imports are only supported for managed registries."
      assert.ok(['Basic', 'Standard', 'Premium'].includes(res.json<{ sku: { name: string } }>().sku.name), where);
    }
  }
  const post = steps.find((s) => isImportPost(s.x));
  const list = steps.find((s) => s.x.request.path.endsWith('/providers/Microsoft.ContainerRegistry/registries'));
  const source = (post?.x.request.body as { json: { source: { resourceId?: string } } } | undefined)?.json.source.resourceId;
  if (list && source) {
    // az found the source by name or login server in this list and sent its id.
    assert.ok(list.res.json<Listed>().value.some((v) => v.id === source), `the list names ${source}`);
  }
}

/** The POST's 202: an operationResults Location az polls verbatim, and a Retry-After. */
export function assertAccepted(em: Emulator, step: Step): void {
  assert.equal(step.res.status, 202, step.res.text);
  const location = String(step.res.headers.location);
  const target = em.registry('dstreg');
  assert.ok(location.startsWith(`${em.armEndpoint}/subscriptions/${target.subscriptionId}/providers/Microsoft.ContainerRegistry/locations/`), location);
  assert.match(location, /\/operationResults\/registries-[0-9a-f-]+\?api-version=2022-02-01-preview&/);
  assert.ok(Number(step.res.headers['retry-after']) >= 1);
  assert.equal(step.res.headers['azure-asyncoperation'], undefined, 'importImage answers a Location, no Azure-AsyncOperation (every recording)');
}

/** How the polls went: 202 while running, then what ended it. */
export function pollStatuses(steps: readonly Step[]): number[] {
  return steps.filter((s) => isPoll(s.x)).map((s) => s.res.status);
}
