import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode, decode, encodeText, encodeStandard } from '../src/b64.js';

test('base64url round-trips every length and matches Node', () => {
  for (let n = 0; n < 70; n += 1) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
    const text = encode(bytes);
    assert.equal(text, Buffer.from(bytes).toString('base64url'));
    assert.deepEqual(decode(text), bytes);
  }
});

test('decode refuses characters outside the alphabet and impossible lengths', () => {
  assert.throws(() => decode('ab$d'));
  assert.throws(() => decode('abcde'));
});

test('text and standard base64 (for data: URLs)', () => {
  assert.equal(encodeText('é€'), Buffer.from('é€').toString('base64url'));
  const bytes = new Uint8Array([251, 255, 191, 1]);
  assert.equal(encodeStandard(bytes), Buffer.from(bytes).toString('base64'));
});
