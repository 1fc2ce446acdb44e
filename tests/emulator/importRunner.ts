/** importImage over ARM for the registryUri tests: POST, then poll the Location to the end. */
import { strict as assert } from 'node:assert';
import type { Emulator } from '../../testkit/emulator';
import { SUB_A, entraToken, request, type HttpResult } from './support';

export async function postImport(em: Emulator, body: unknown, registry = 'dst', rg = 'dst-rg'): Promise<HttpResult> {
  const token = await entraToken(em, 'owner', 'https://management.azure.com');
  const url = `${em.armEndpoint}/subscriptions/${SUB_A}/resourceGroups/${rg}/providers/Microsoft.ContainerRegistry/registries/${registry}/importImage?api-version=2025-11-01`;
  return request(em.caPem, url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

export async function pollImport(em: Emulator, location: string): Promise<HttpResult> {
  const token = await entraToken(em, 'owner', 'https://management.azure.com');
  return request(em.caPem, location, { headers: { Authorization: `Bearer ${token}` } });
}

/**
 * POSTs and polls until the operation stops answering 202. A source read over HTTPS ends on
 * its own time, so polls repeat (50 ms apart) for as long as the read takes, up to 200 polls.
 */
export async function importToEnd(em: Emulator, body: unknown, registry = 'dst', rg = 'dst-rg'): Promise<HttpResult> {
  const accepted = await postImport(em, body, registry, rg);
  assert.equal(accepted.status, 202, accepted.text);
  const location = String(accepted.headers.location);
  for (let i = 0; i < 200; i++) {
    const p = await pollImport(em, location);
    if (p.status !== 202) return p;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('operation never finished');
}

export const failureMessage = (r: HttpResult): string => r.json<{ error: { message: string } }>().error.message;
