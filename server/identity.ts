/**
 * Proof that the caller of `identify(userId)` is that user. Without it, anyone could claim any
 * user's profile (and read its segments). The default proof is an HMAC of the user id with one of
 * the token secrets, which the site's own backend (where the user logged in) computes with
 * `signIdentityProof` and hands to its front end. Sites with another scheme (a JWT from their
 * identity provider) pass their own `IdentityVerifier`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Decides whether `proof` shows the caller is `userId`. */
export interface IdentityVerifier {
  verify(proof: string, userId: string): Promise<boolean>;
}

const mac = (secret: string, userId: string): Buffer =>
  createHmac('sha256', secret).update(`pz-identify:${userId}`).digest();

/** The default proof for `userId`: base64url HMAC-SHA256 with `secret` (the first token secret). */
export function signIdentityProof(userId: string, secret: string): string {
  return mac(secret, userId).toString('base64url');
}

/** Verifies default proofs against every token secret (so rotation does not break logged-in users). */
export function hmacIdentityVerifier(secrets: readonly string[]): IdentityVerifier {
  return {
    async verify(proof, userId) {
      if (typeof proof !== 'string' || proof.length > 256) return false;
      const given = Buffer.from(proof, 'base64url');
      return secrets.some((secret) => {
        const expected = mac(secret, userId);
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
    },
  };
}
