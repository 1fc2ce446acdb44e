/**
 * Runs the emulator as a process: `node build/testkit/emulator/main.js <fixture.json> [workDir]`.
 * Prints one JSON line with the endpoints, the CA file, each registry's login server, the
 * pipeline's OIDC endpoint and the managed-identity endpoint, then serves until SIGTERM or
 * SIGINT.
 */
import { readOptionsFile } from './fixture';
import { startEmulator } from './index';

async function main(): Promise<void> {
  const [fixturePath, workDir] = process.argv.slice(2);
  if (!fixturePath) {
    process.stderr.write('usage: emulator <fixture.json> [workDir]\n');
    process.exitCode = 2;
    return;
  }
  const options = await readOptionsFile(fixturePath);
  const emulator = await startEmulator({ ...options, ...(workDir ? { workDir } : {}) });
  const registries = Object.fromEntries(
    emulator.registries().map((r) => [r.name, { loginServer: r.loginServer, resourceId: r.resourceId, subscriptionId: r.subscriptionId }]),
  );
  process.stdout.write(
    `${JSON.stringify({
      pid: process.pid,
      authorityHost: emulator.authorityHost,
      armEndpoint: emulator.armEndpoint,
      acrAudience: emulator.acrAudience,
      caFile: emulator.caFile,
      registries,
      // What a task's environment needs for workload identity federation and managed identity.
      pipeline: emulator.pipeline,
      managedIdentity: emulator.managedIdentity,
    })}\n`,
  );
  const shutdown = (): void => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`emulator failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
