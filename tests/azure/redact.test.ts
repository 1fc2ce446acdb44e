import { strict as assert } from 'node:assert';
import { RestError } from '@azure/core-rest-pipeline';
import { describeError, oneLineError, redactSecrets, redactText, registerSecret } from '../../src/azure/redact';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const RID = `/subscriptions/${SUB}/resourceGroups/dst-rg/providers/Microsoft.ContainerRegistry/registries/dstreg`;
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.c2lnbmF0dXJl';

describe('azure/redact', () => {
  it('keeps an AuthorizationFailed message readable without ids or scope', () => {
    const message =
      `The client '${SUB}' with object id '${SUB}' does not have authorization to perform action ` +
      `'Microsoft.ContainerRegistry/registries/importImage/action' over scope '${RID}' or the scope is invalid. ` +
      'If access was recently granted, please refresh your credentials.';
    const line = oneLineError(new RestError(message, { code: 'AuthorizationFailed', statusCode: 403 }));
    assert.match(line, /^AuthorizationFailed: The client '\[redacted-id\]' with object id '\[redacted-id\]'/);
    assert.match(line, /'Microsoft\.ContainerRegistry\/registries\/importImage\/action'/);
    assert.match(line, /over scope '\[redacted-resource-id\]' or the scope is invalid\./);
    assert.ok(!line.includes(SUB));
    assert.ok(!line.includes('/subscriptions/'));
    assert.ok(!line.includes('dst-rg'));
  });

  it('removes tokens, bearer headers, secret form fields and signed queries', () => {
    const text =
      `Authorization: Bearer ${JWT}\nrefresh_token=${JWT}&client_secret=s3cr3t&x=1 ` +
      `token ${JWT} poll https://management.azure.com/operationResults/op?api-version=1&sig=abc`;
    const line = redactText(text);
    assert.ok(!line.includes('eyJ'), line);
    assert.ok(!line.includes('s3cr3t'), line);
    assert.ok(!line.includes('sig=abc'), line);
    assert.ok(!line.includes('\n'));
    assert.match(line, /Bearer \[redacted-token\]/);
    assert.match(line, /client_secret=\[redacted\]/);
  });

  it('keeps digests and repository names', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    assert.equal(redactText(`app@${digest} tag app:1.0`), `app@${digest} tag app:1.0`);
  });

  it('reads the data plane error shape and the ARM error body', () => {
    const acr = describeError({ message: '', details: { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] } });
    assert.equal(acr.message, 'NAME_UNKNOWN: repository name not known to registry');
    assert.equal(acr.code, 'NAME_UNKNOWN');
    const arm = describeError(
      new RestError('Unexpected status code: 409', {
        statusCode: 409,
        response: {
          status: 409,
          headers: undefined as never,
          request: undefined as never,
          bodyAsText: JSON.stringify({ error: { code: 'TagAlreadyExists', message: `Tag app:1 exists in ${RID}` } }),
        },
      }),
    );
    assert.equal(arm.code, 'TagAlreadyExists');
    assert.equal(arm.message, 'TagAlreadyExists: Tag app:1 exists in [redacted-resource-id]');
    assert.equal(arm.statusCode, 409);
  });

  it('does not repeat a code the message already starts with, and folds to one bounded line', () => {
    assert.equal(oneLineError({ code: 'X', message: 'X: broken' }), 'X: broken');
    const long = oneLineError('a'.repeat(5000));
    assert.ok(long.length <= 1000);
    assert.equal(oneLineError(undefined), 'undefined');
  });

  it('redacts a subscription id inside a URL-encoded path or query', () => {
    const encoded = `https://portal.azure.com/#resource%2Fsubscriptions%2F${SUB}%2FresourceGroups%2Fdst-rg%2Fproviders%2FMicrosoft.ContainerRegistry%2Fregistries%2Fdstreg`;
    const line = redactText(`see ${encoded} and ?scope=%2fsubscriptions%2f${SUB.toUpperCase()}&x=1`);
    assert.ok(!line.toLowerCase().includes(SUB), line);
    assert.ok(!line.includes('dst-rg'), line);
    assert.match(line, /\[redacted-resource-id\]/);
  });

  it('redacts a GUID that follows a letter or a digit, as after %2F', () => {
    assert.equal(redactText(`id=%2F${SUB}`), 'id=%2F[redacted-id]');
    assert.equal(redactText(`x${SUB}y`), 'x[redacted-id]y');
  });

  it('masks a secret this process registered wherever it appears, and only it', () => {
    const secret = 'Zq8~unit-test-secret.value';
    assert.equal(redactSecrets(`invalid secret ${secret}!`), `invalid secret ${secret}!`, 'nothing before it is registered');
    registerSecret(secret);
    registerSecret('abc');
    assert.equal(redactSecrets(`invalid secret ${secret}!${secret}`), 'invalid secret [redacted]![redacted]');
    assert.equal(oneLineError(new Error(`AADSTS7000215: Invalid client secret provided: ${secret}`)), 'AADSTS7000215: Invalid client secret provided: [redacted]');
    assert.equal(redactSecrets('abc and cab'), 'abc and cab', 'a value too short to be a secret is not masked everywhere');
  });
});
