import { createServer } from 'node:net';
import { strict as assert } from 'node:assert';
import { rootCertificates } from 'node:tls';
import { createDefaultHttpClient,
  createEmptyPipeline, createPipelineRequest, isRestError, type HttpClient } from '@azure/core-rest-pipeline';
import { clientOptionsOf, createTransport, requestTimeoutPolicy, tlsOptionsOf, trustedCasOf } from '../../src/azure/http/transport';

describe('azure/transport', () => {
  it('has a user agent prefix, retry defaults, a one-minute time limit and no CA unless given', () => {
    const t = createTransport({ version: '1.2.3' });
    assert.equal(t.userAgentPrefix, 'acr-transfer/1.2.3');
    assert.ok(t.retry.maxRetries > 0);
    assert.equal(tlsOptionsOf(t), undefined);
    assert.equal(t.requestTimeoutMs, 60_000);
    assert.deepEqual(t.armBudgets.settings, { writes: { capacity: 200, refillPerSecond: 10 }, reads: { capacity: 250, refillPerSecond: 25 } });
    assert.equal(t.maxReadsPerSecond, 0);
    assert.equal(t.registryReads, undefined);
    const options = clientOptionsOf(createTransport({ retry: { maxRetries: 2 } }), { service: 'ARM' });
    assert.equal(options.retryOptions.maxRetries, 2);
    assert.equal(options.userAgentOptions.userAgentPrefix, 'acr-transfer/dev');
    // The network failure line, the counter, the time limit, the byte cap, then the route next to the wire, all inside the retry loop.
    assert.deepEqual(
      options.additionalPolicies?.map((p) => [p.policy.name, p.position]),
      [
        ['acrTransferNetworkFailure', 'perRetry'],
        ['acrTransferRequestCounting', 'perRetry'],
        ['acrTransferRequestTimeout', 'perRetry'],
        ['acrTransferBoundedBody', 'perRetry'],
        ['acrTransferRoute', 'perRetry'],
      ],
    );
    const untimed = clientOptionsOf(createTransport({ requestTimeoutMs: 0 }), { service: 'ARM' });
    assert.deepEqual(untimed.additionalPolicies?.map((p) => p.policy.name), [
      'acrTransferNetworkFailure',
      'acrTransferRequestCounting',
      'acrTransferBoundedBody',
      'acrTransferRoute',
    ]);
  });

  it('takes ARM budgets and a registry read cap from its options', () => {
    const t = createTransport({ armWrites: { capacity: 20 }, armReads: false, maxReadsPerSecond: 5 });
    assert.deepEqual(t.armBudgets.settings, { writes: { capacity: 20, refillPerSecond: 10 } });
    assert.equal(t.armBudgets.budget('reads', 'sub'), undefined, 'reads not paced');
    assert.equal(t.armBudgets.budget('writes', 'SUB'), t.armBudgets.budget('writes', 'sub'), 'one budget per subscription, any case');
    assert.equal(t.maxReadsPerSecond, 5);
    assert.equal(t.registryReads?.readsPerSecond, 5);
    assert.deepEqual(t.registryReads?.of('a.azurecr.io', 'Basic').settings, { capacity: 300, refillPerSecond: 5 }, "a minute's worth, within Basic's 1,000");
    assert.equal(t.registryReads?.of('a.azurecr.io'), t.registryReads?.of('A.azurecr.io'), 'one bucket per host, any case');
    assert.notEqual(t.registryReads?.of('a.azurecr.io'), t.registryReads?.of('b.azurecr.io'));
    assert.throws(() => createTransport({ armWrites: { capacity: 0 } }), RangeError);
    assert.throws(() => createTransport({ armReads: { refillPerSecond: -1 } }), RangeError);
    assert.throws(() => createTransport({ maxReadsPerSecond: Number.NaN }), RangeError);
  });

  it('adds an extra CA to the bundled roots instead of replacing them', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----';
    const ca = trustedCasOf(createTransport({ caPem: pem }));
    assert.ok(Array.isArray(ca));
    assert.equal(ca.length, rootCertificates.length + 1);
    assert.equal(ca.at(-1), pem);
    assert.equal(trustedCasOf(createTransport()), undefined);
  });

  it('hands the SDK one prebuilt secure context per CA set, never the CA list', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----';
    const t = createTransport({ caPem: pem });
    const tls = tlsOptionsOf(t);
    assert.ok(tls?.secureContext);
    // A `ca` list would go into the pool name of every request and be parsed for every socket.
    assert.equal(tls.ca, undefined);
    // The same object every time, so the SDK's HTTP client keeps one agent for the transport.
    assert.equal(tlsOptionsOf(t), tls);
    assert.equal(clientOptionsOf(t, { service: 'ARM' }).tlsOptions, tls);
    // Another transport with the same CA reuses the context (built once per process).
    assert.equal(tlsOptionsOf(createTransport({ caPem: pem }))?.secureContext, tls.secureContext);
  });

  it('turns an expired per-attempt time limit into a retryable ETIMEDOUT, keeps a caller abort', async () => {
    const policy = requestTimeoutPolicy(50);
    assert.ok(policy);
    assert.equal(requestTimeoutPolicy(0), undefined);
    // Answers only by failing when the request's signal fires, as Node's client does.
    const hanging: HttpClient = {
      sendRequest: (request) =>
        new Promise((_resolve, reject) => {
          const fail = (): void => {
            const error = new Error('aborted');
            error.name = 'AbortError';
            reject(error);
          };
          if (request.abortSignal?.aborted) fail();
          request.abortSignal?.addEventListener('abort', fail);
        }),
    };
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(policy);
    const started = Date.now();
    await assert.rejects(pipeline.sendRequest(hanging, createPipelineRequest({ url: 'https://127.0.0.1:1/x' })), (e: unknown) => {
      return isRestError(e) && e.code === 'ETIMEDOUT';
    });
    assert.ok(Date.now() - started >= 45);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      pipeline.sendRequest(hanging, createPipelineRequest({ url: 'https://127.0.0.1:1/x', abortSignal: controller.signal })),
      (e: unknown) => e instanceof Error && e.name === 'AbortError' && !isRestError(e),
    );
  });

  it('leaves no timer behind when a connection is reset (a reset must not keep the process alive)', async () => {
    const policy = requestTimeoutPolicy(60_000);
    assert.ok(policy);
    // A server that resets every connection, and the SDK's real Node HTTP client.
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = createDefaultHttpClient();
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(policy);
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const send = () => pipeline.sendRequest(client, createPipelineRequest({ url: `http://127.0.0.1:${port}/x` }));
    try {
      // A first failure warms up whatever the process creates once; the second is measured.
      await assert.rejects(send());
      const before = timers();
      await assert.rejects(send());
      assert.equal(timers(), before);
    } finally {
      server.close();
    }
  });


});
