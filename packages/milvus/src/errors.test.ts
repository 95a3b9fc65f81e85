import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStatus, MilvusNotLoadedError, MilvusRejectedError, MilvusUnavailableError } from './errors.js';

test('a released collection (Milvus Lite after a restart) is a retryable not-loaded error naming the collection', () => {
  const reason = "Collection 'products_v1' is in state 'released'; call load() before search/get/query";
  assert.throws(
    () => checkStatus('query', { error_code: 'UnexpectedError', code: 65535, reason }),
    (error: unknown) =>
      error instanceof MilvusNotLoadedError &&
      error instanceof MilvusUnavailableError &&
      error.canRetry &&
      error.code === 'FRESHET_MILVUS_UNAVAILABLE' &&
      error.collection === 'products_v1',
  );
});

test('a refused row stays a non-retryable rejection', () => {
  assert.throws(
    () =>
      checkStatus('upsert', { error_code: 'IllegalArgument', code: 1100, reason: 'field title too long' }),
    (error: unknown) => error instanceof MilvusRejectedError && !error.canRetry,
  );
});
