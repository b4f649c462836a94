import { describe, expect, it } from 'vitest';
import { demoRegistry } from './test-fixtures/demo-plugin.js';
import { createPayloadValidator } from './payload-validator.js';

/**
 * Inputs read back from the database are checked like submissions: a row written by raw SQL (or
 * by an older version with a larger limit) must fail with a clear code, not run.
 */
describe('payload validator on claimed inputs', () => {
  const produce = demoRegistry.require('demo.Produce');

  it('accepts a valid input within the size limit', () => {
    const validator = createPayloadValidator({ maxPayloadBytes: 64 });
    expect(validator.checkInput(produce, { value: 1 })).toBeUndefined();
  });

  it('refuses an oversize input with PAYLOAD_TOO_LARGE, naming its size and the limit', () => {
    const validator = createPayloadValidator({ maxPayloadBytes: 64 });
    const input = { value: 1, padding: 'x'.repeat(100) };
    const error = validator.checkInput(produce, input);
    expect(error?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error?.message).toContain(`${Buffer.byteLength(JSON.stringify(input))} bytes; the limit is 64`);
  });

  it('refuses a schema-invalid input with PAYLOAD_INVALID', () => {
    const validator = createPayloadValidator();
    expect(validator.checkInput(produce, { value: 'one' })?.code).toBe('PAYLOAD_INVALID');
  });
});
