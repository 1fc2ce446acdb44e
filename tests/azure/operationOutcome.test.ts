import { strict as assert } from 'node:assert';
import { createEmptyPipeline, createHttpHeaders, createPipelineRequest, type HttpClient } from '@azure/core-rest-pipeline';
import { OperationOutcomeRecorder } from '../../src/azure/arm/operationOutcome';

function answering(body: unknown): HttpClient {
  return {
    sendRequest: (request) => Promise.resolve({ request, status: 200, headers: createHttpHeaders(), bodyAsText: JSON.stringify(body) }),
  };
}

describe('azure/operationOutcome', () => {
  it('records the last poll of a watched Location, also when api-version was appended', async () => {
    const recorder = new OperationOutcomeRecorder();
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(recorder.policy);
    const location = 'https://arm.example/subscriptions/s/operationResults/op-1?t=123&c=abc&s=sig';
    const watch = recorder.watch([location], 'https://arm.example');

    await pipeline.sendRequest(answering({ status: 'InProgress' }), createPipelineRequest({ url: `${location}&api-version=2025-11-01` }));
    assert.deepEqual(watch.lastPoll(), { status: 200, body: { status: 'InProgress' } });
    await pipeline.sendRequest(answering({ status: 'Failed', error: { code: 'X', message: 'y' } }), createPipelineRequest({ url: location }));
    assert.deepEqual(watch.lastPoll()?.body, { status: 'Failed', error: { code: 'X', message: 'y' } });

    // Another operation's poll (different path or a changed signed value) is not this one.
    await pipeline.sendRequest(answering({ status: 'Succeeded' }), createPipelineRequest({ url: location.replace('op-1', 'op-2') }));
    await pipeline.sendRequest(answering({ status: 'Succeeded' }), createPipelineRequest({ url: location.replace('s=sig', 's=other') }));
    assert.equal((watch.lastPoll()?.body as { status: string }).status, 'Failed');

    watch.dispose();
    await pipeline.sendRequest(answering({ status: 'Succeeded' }), createPipelineRequest({ url: location }));
    assert.equal((watch.lastPoll()?.body as { status: string }).status, 'Failed');
  });

  it('resolves a relative Location against the ARM endpoint', async () => {
    const recorder = new OperationOutcomeRecorder();
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(recorder.policy);
    const watch = recorder.watch(['/operations/1'], 'https://arm.example');
    await pipeline.sendRequest(answering({ status: 'Succeeded' }), createPipelineRequest({ url: 'https://arm.example/operations/1' }));
    assert.equal((watch.lastPoll()?.body as { status: string }).status, 'Succeeded');
  });
});
