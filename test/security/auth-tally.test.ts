import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countAuthDecision, createAuthCounts, renderAuthSummary } from '../../src/security/auth-tally.js';

test('renderAuthSummary counts accepted streams and rejected ones by reason, most frequent first', () => {
  const counts = createAuthCounts();
  assert.equal(renderAuthSummary(counts), 'auth: 0 accepted, 0 rejected');
  for (let i = 0; i < 120; i++) countAuthDecision(counts, { accepted: true, subject: 'alice' });
  countAuthDecision(counts, { accepted: false, code: 'UNAUTHENTICATED', reason: 'missing bearer token' });
  countAuthDecision(counts, { accepted: false, code: 'UNAUTHENTICATED', reason: 'token expired' });
  countAuthDecision(counts, { accepted: false, code: 'UNAUTHENTICATED', reason: 'token expired' });
  assert.equal(renderAuthSummary(counts), 'auth: 120 accepted, 3 rejected (token expired ×2, missing bearer token ×1)');
  countAuthDecision(counts, { accepted: false, code: 'PERMISSION_DENIED', reason: 'role bench required' });
  assert.equal(renderAuthSummary(counts), 'auth: 120 accepted, 4 rejected (token expired ×2, missing bearer token ×1, role bench required ×1)');
});
