/**
 * A stand-in for the task's process, run as a child with the environment an agent gives a
 * task (task-lib reads it once, at load). It resolves the planned connections with
 * `resolveConnection`, then for `durationMs` keeps one ARM client and one registry reader per
 * side — as the task holds them for a whole run — and uses them every `intervalMs`: list the
 * subscription's registries through ARM, list the registry's repositories through its data
 * plane. Tokens live shorter than the run, so the clients must renew them as they go.
 *
 * Prints task-lib's logging commands as the task would, then one `DRIVER_RESOLVED` line per
 * side and one `DRIVER_RESULT` line (JSON, token hashes only), or `DRIVER_ERROR <line>`.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTransport, oneLineError } from '../../../../src/azure';
import { createArmClient } from '../../../../src/azure/arm/armClient';
import { checkRegistryAddress } from '../../../../src/azure/registryAddress';
import { locateRegistry } from '../../../../src/azure/arm/registryLocator';
import { createAcrRegistryReader } from '../../../../src/azure/dataplane/registryReader';
import { disposeConnections, resolveConnection, type ResolvedConnection } from '../../../../src/task/connections';

export interface DriverSide {
  side: 'source' | 'target';
  connectionId: string;
  registry: string;
}

export interface DriverPlan {
  sides: DriverSide[];
  durationMs: number;
  intervalMs: number;
  /** Trust this CA through the transport (otherwise NODE_EXTRA_CA_CERTS decides). */
  caFile?: string;
  acrAudience?: string;
  /**
   * The task's registry domain input; when given (empty: the cloud's own) every located
   * registry's address is checked against the cloud's domain, as connect() does.
   */
  registryDomain?: string;
}

export interface DriverResolved {
  side: string;
  displayName: string;
  authKind: string;
  subscriptionId: string;
  tenantId: string;
  cloud: { name: string; armEndpoint: string; armAudience?: string; authorityHost: string; acrAudience: string; registryDomain: string };
}

export interface DriverResult {
  rounds: number;
  elapsedMs: number;
  /** Successful ARM listings and data-plane listings per side. */
  armCalls: Record<string, number>;
  repositories: Record<string, string[]>;
  /** sha256 (hex) of every token the credentials handed to the clients. */
  tokenHashes: string[];
  certFileAfterResolve: boolean;
  certFileAtEnd: boolean;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Notes a hash of each token the task's credential hands out (the clients see the same). */
class RecordingCredential implements TokenCredential {
  constructor(
    private readonly inner: TokenCredential,
    private readonly hashes: Set<string>,
  ) {}
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const token = await this.inner.getToken(scopes, options);
    if (token) this.hashes.add(sha256(token.token));
    return token;
  }
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '{}') as DriverPlan;
  const certFile = join(process.env['AGENT_TEMPDIRECTORY'] ?? '/nonexistent', 'spnCert.pem');
  const transport = createTransport({
    version: 'test',
    ...(plan.caFile ? { caPem: readFileSync(plan.caFile, 'utf8') } : {}),
    retry: { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 1000 },
  });
  const hashes = new Set<string>();
  const result: DriverResult = {
    rounds: 0,
    elapsedMs: 0,
    armCalls: {},
    repositories: {},
    tokenHashes: [],
    certFileAfterResolve: false,
    certFileAtEnd: false,
  };
  try {
    const resolved: { plan: DriverSide; connection: ResolvedConnection }[] = [];
    for (const side of plan.sides) {
      const options = {
        transport,
        side: side.side,
        ...(plan.acrAudience ? { acrAudience: plan.acrAudience } : {}),
        ...(plan.registryDomain ? { registryDomain: plan.registryDomain } : {}),
      };
      const connection = await resolveConnection(side.connectionId, options);
      resolved.push({ plan: side, connection });
      const { displayName, authKind, subscriptionId, tenantId, cloud } = connection;
      const summary: DriverResolved = { side: side.side, displayName, authKind, subscriptionId, tenantId, cloud: { ...cloud } };
      process.stdout.write(`DRIVER_RESOLVED ${JSON.stringify(summary)}\n`);
    }
    result.certFileAfterResolve = existsSync(certFile);

    const clients = await Promise.all(
      resolved.map(async ({ plan: side, connection }) => {
        const credential = new RecordingCredential(connection.credential, hashes);
        const arm = createArmClient(credential, connection.subscriptionId, connection.cloud, transport);
        const ref = await locateRegistry(arm, side.registry, side.side);
        // As connect() does before any token goes to the registry (when the plan is about domains).
        if (plan.registryDomain !== undefined) checkRegistryAddress(ref, side.side, connection.cloud);
        const reader = createAcrRegistryReader(ref, credential, connection.cloud, transport);
        return { side, arm, reader };
      }),
    );
    const started = Date.now();
    for (;;) {
      for (const { side, arm, reader } of clients) {
        await locateRegistry(arm, side.registry, side.side);
        result.armCalls[side.side] = (result.armCalls[side.side] ?? 0) + 1;
        const repositories: string[] = [];
        for await (const repository of reader.listRepositories()) repositories.push(repository);
        result.repositories[side.side] = repositories;
      }
      result.rounds += 1;
      if (Date.now() - started >= plan.durationMs) break;
      await sleep(plan.intervalMs);
    }
    result.elapsedMs = Date.now() - started;
  } catch (error) {
    process.stdout.write(`DRIVER_ERROR ${oneLineError(error)}\n`);
    process.exitCode = 1;
  } finally {
    disposeConnections();
    result.certFileAtEnd = existsSync(certFile);
    result.tokenHashes = [...hashes];
    process.stdout.write(`DRIVER_RESULT ${JSON.stringify(result)}\n`);
  }
}

void main();
