/**
 * What the long-run tests check in the emulator's request log and in the driver's output:
 * the run lasted, every resource call was authorised, tokens were renewed across their
 * lifetime, and every token was masked and none printed in clear.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import type { Emulator, LoggedRequest, ManagedIdentityRecord, TokenRequestRecord } from '../../../../testkit/emulator/api';
import type { DriverRun } from './runDriver';

export interface Grant<R> {
  entry: LoggedRequest;
  record: R;
}

/** Entra token requests of one client (v1 and v2). */
export function tokenGrants(em: Emulator, clientId: string): Grant<TokenRequestRecord>[] {
  return em.log
    .entries()
    .filter((e) => e.route === 'entra.token' || e.route === 'entra.tokenV1')
    .map((entry) => ({ entry, record: entry.body as TokenRequestRecord }))
    .filter((g) => g.record.clientId?.toLowerCase() === clientId.toLowerCase());
}

/** Requests to the machine's managed-identity endpoint. */
export function identityGrants(em: Emulator): Grant<ManagedIdentityRecord>[] {
  return em.log
    .entries()
    .filter((e) => e.route === 'identity.token')
    .map((entry) => ({ entry, record: entry.body ?? {} }));
}

export function assertRanTheWholeRun(run: DriverRun, runMs: number): void {
  assert.equal(run.error, undefined, `the driver failed: ${run.error}\n${run.stderr}`);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.result, 'the driver reported');
  assert.ok(run.result.elapsedMs >= runMs, `ran ${run.result.elapsedMs} ms`);
  assert.ok(run.result.rounds >= 5, `${run.result.rounds} rounds`);
  for (const side of Object.keys(run.result.armCalls)) assert.equal(run.result.armCalls[side], run.result.rounds);
}

/**
 * Renewed: at least three grants, all successful, spread over more than two lifetimes (so
 * later ones replaced tokens that had expired).
 */
export function assertRenewed<R>(grants: Grant<R>[], lifetimeSeconds: number, who: string): void {
  assert.ok(grants.length >= 3, `${who}: ${grants.length} token requests`);
  assert.deepEqual(grants.filter((g) => g.entry.status !== 200).map((g) => g.entry.status), [], `${who}: every token request granted`);
  const first = grants[0]?.entry.startedAt ?? 0;
  const last = grants[grants.length - 1]?.entry.startedAt ?? 0;
  assert.ok(last - first > 2 * lifetimeSeconds * 1000, `${who}: grants span ${last - first} ms`);
}

/**
 * No ARM request was refused (an expired token answers 401 ExpiredAuthenticationToken), every
 * registry token exchange succeeded, and every round listed the registries.
 */
export function assertResourceCallsSucceeded(em: Emulator, run: DriverRun): void {
  const entries = em.log.entries();
  const arm = entries.filter((e) => e.service === 'arm');
  assert.ok(arm.length > 0);
  assert.deepEqual(arm.filter((e) => e.status !== 200).map((e) => `${e.route} ${e.status}`), [], 'every ARM request authorised');
  const exchanges = entries.filter((e) => e.route === 'acr.exchange' || e.route === 'acr.token');
  assert.ok(exchanges.length > 0);
  assert.deepEqual(exchanges.filter((e) => e.status !== 200).map((e) => `${e.route} ${e.status}`), [], 'every registry token granted');
  const catalogs = entries.filter((e) => e.route === 'acr.catalog' && e.status === 200).length;
  const sides = Object.keys(run.result?.armCalls ?? {}).length;
  assert.ok(catalogs >= (run.result?.rounds ?? 0) * sides, `${catalogs} catalog listings`);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function jtiOf(jwt: string): string | undefined {
  try {
    return (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti?: string }).jti;
  } catch {
    return undefined;
  }
}

export interface MaskExpectations {
  /** Connection secrets that must never be printed by the task's code. */
  secrets: string[];
  /**
   * Of those, the ones task-lib itself writes into `##vso[task.debug]` lines when a
   * connection's authorization parameter is read (the agent masks every endpoint
   * authorization parameter, so they never reach the log): allowed there, nowhere else.
   */
  debugOnlySecrets: string[];
}

export function assertMasked(run: DriverRun, em: Emulator, expect: MaskExpectations): void {
  const masked = new Set(run.maskedValues);
  assert.ok(masked.size > 0, 'tokens were registered with ##vso[task.setsecret]');
  const maskedHashes = new Set([...masked].map(sha256));
  const handedOut = run.result?.tokenHashes ?? [];
  assert.ok(handedOut.length > 0);
  assert.deepEqual(handedOut.filter((h) => !maskedHashes.has(h)), [], 'every token handed to a client was masked first');

  // Every ID token the pipeline issued was masked too.
  const issuedIdTokens = em.log.entries().filter((e) => e.route === 'pipeline.oidcToken' && e.status === 200);
  const maskedJtis = new Set([...masked].map(jtiOf));
  for (const e of issuedIdTokens) assert.ok(maskedJtis.has((e.body as { jti: string }).jti), 'ID token masked');

  const output = [...run.lines, ...run.stderr.split(/\r?\n/)];
  const clear = output.filter((l) => !l.startsWith('##vso[task.setsecret]'));
  for (const value of masked) {
    assert.ok(!clear.some((l) => l.includes(value)), 'a masked value was also printed in clear');
  }
  // The job's access token and the machine's identity header are never printed at all.
  for (const never of [em.pipeline.systemAccessToken, em.managedIdentity.header]) {
    assert.ok(!output.some((l) => l.includes(never)), 'a job or machine secret was printed');
  }
  for (const secret of expect.secrets) {
    const allowedInDebug = expect.debugOnlySecrets.includes(secret);
    const offending = clear.filter((l) => l.includes(secret) && !(allowedInDebug && l.startsWith('##vso[task.debug]')));
    assert.deepEqual(offending.length, 0, 'a connection secret was printed outside task-lib debug lines');
  }
}
