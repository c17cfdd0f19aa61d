import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errors } from 'jose';
import { algorithmNotAllowedReason, jwtRejectionReason, nameableAlgorithm, roleRequiredReason } from '../../src/security/jwt-rejection-reason.js';

const claims = { sub: 'x' };

test('jwtRejectionReason maps every jose 6 error class to one reason', () => {
  const table: Array<[string, unknown, string]> = [
    ['JWTExpired exp', new errors.JWTExpired('"exp" claim timestamp check failed', claims, 'exp', 'check_failed'), 'token expired'],
    ['nbf in the future', new errors.JWTClaimValidationFailed('"nbf" claim timestamp check failed', claims, 'nbf', 'check_failed'), 'token not yet valid'],
    ['wrong iss', new errors.JWTClaimValidationFailed('unexpected "iss" claim value', claims, 'iss', 'check_failed'), 'token issuer mismatch'],
    ['no iss', new errors.JWTClaimValidationFailed('missing required "iss" claim', claims, 'iss', 'missing'), 'token issuer missing'],
    ['wrong aud', new errors.JWTClaimValidationFailed('unexpected "aud" claim value', claims, 'aud', 'check_failed'), 'token audience mismatch'],
    ['no aud', new errors.JWTClaimValidationFailed('missing required "aud" claim', claims, 'aud', 'missing'), 'token audience missing'],
    ['exp not a number', new errors.JWTClaimValidationFailed('"exp" claim must be a number', claims, 'exp', 'invalid'), 'token exp claim invalid'],
    ['nbf not a number', new errors.JWTClaimValidationFailed('"nbf" claim must be a number', claims, 'nbf', 'invalid'), 'token not yet valid'],
    ['iat not a number', new errors.JWTClaimValidationFailed('"iat" claim must be a number', claims, 'iat', 'invalid'), 'token iat claim invalid'],
    ['typ', new errors.JWTClaimValidationFailed('unexpected "typ" JWT header value', claims, 'typ', 'check_failed'), 'token typ claim invalid'],
    ['odd claim name', new errors.JWTClaimValidationFailed('x', claims, 'eyJhbGciOi', 'missing'), 'token unknown claim missing'],
    ['bad signature', new errors.JWSSignatureVerificationFailed(), 'token signature invalid'],
    ['alg not allowed', new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed'), 'token algorithm not allowed (HS256; allowed: ES256)'],
    ['not a JWS', new errors.JWSInvalid('Invalid Compact JWS'), 'malformed token'],
    ['claims not JSON', new errors.JWTInvalid('JWT Claims Set must be a top-level JSON object'), 'malformed token'],
    ['unsupported', new errors.JOSENotSupported('Unsupported "alg"'), 'malformed token'],
    ['unknown kid', new errors.JWKSNoMatchingKey(), 'token signing key unknown'],
    ['anything else', new TypeError('boom'), 'token verification failed'],
    ['not even an Error', 'boom', 'token verification failed'],
  ];
  for (const [name, error, reason] of table) assert.equal(jwtRejectionReason(error, 'HS256', ['ES256']), reason, name);
});

test('reason texts repeat only known algorithm names, never token text', () => {
  assert.equal(algorithmNotAllowedReason('none', ['ES256', 'RS256']), 'token algorithm not allowed (none; allowed: ES256, RS256)');
  assert.equal(algorithmNotAllowedReason('eyJzdWIiOiJhbGljZSJ9', ['ES256']), 'token algorithm not allowed (unknown; allowed: ES256)');
  assert.equal(algorithmNotAllowedReason(undefined, ['ES256']), 'token algorithm not allowed (unknown; allowed: ES256)');
  assert.equal(nameableAlgorithm({ toString: () => 'HS256' }), 'unknown');
  assert.equal(nameableAlgorithm('EdDSA'), 'EdDSA');
  assert.equal(roleRequiredReason('bench'), 'role bench required');
});
