import { strict as assert } from 'node:assert';
import { rootCertificates } from 'node:tls';
import { createEmptyPipeline, createPipelineRequest, isRestError, type HttpClient } from '@azure/core-rest-pipeline';
import { clientOptionsOf, createTransport, requestTimeoutPolicy, tlsOptionsOf } from '../../src/azure/transport';

describe('azure/transport', () => {
  it('has a user agent prefix, retry defaults and no CA unless given', () => {
    const t = createTransport({ version: '1.2.3' });
    assert.equal(t.userAgentPrefix, 'acr-transfer/1.2.3');
    assert.ok(t.retry.maxRetries > 0);
    assert.equal(tlsOptionsOf(t), undefined);
    const options = clientOptionsOf(createTransport({ retry: { maxRetries: 2 } }));
    assert.equal(options.retryOptions.maxRetries, 2);
    assert.equal(options.userAgentOptions.userAgentPrefix, 'acr-transfer/dev');
    assert.equal(options.additionalPolicies, undefined);
  });

  it('adds an extra CA to the bundled roots instead of replacing them', () => {
    const ca = tlsOptionsOf(createTransport({ caPem: '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----' }))?.ca;
    assert.ok(Array.isArray(ca));
    assert.equal(ca.length, rootCertificates.length + 1);
  });

  it('turns an expired per-attempt time limit into a retryable ETIMEDOUT, keeps a caller abort', async () => {
    const policy = requestTimeoutPolicy(50);
    assert.ok(policy);
    assert.equal(requestTimeoutPolicy(0), undefined);
    const hanging: HttpClient = {
      sendRequest: (request) =>
        new Promise((_resolve, reject) => {
          assert.equal(request.timeout, 50);
          const error = new Error('aborted');
          error.name = 'AbortError';
          setTimeout(() => reject(error), 5);
        }),
    };
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(policy);
    await assert.rejects(pipeline.sendRequest(hanging, createPipelineRequest({ url: 'https://127.0.0.1:1/x' })), (e: unknown) => {
      return isRestError(e) && e.code === 'ETIMEDOUT';
    });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      pipeline.sendRequest(hanging, createPipelineRequest({ url: 'https://127.0.0.1:1/x', abortSignal: controller.signal })),
      (e: unknown) => e instanceof Error && e.name === 'AbortError',
    );
  });
});
