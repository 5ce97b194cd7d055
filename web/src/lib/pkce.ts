// Proof Key for Code Exchange (RFC 7636, S256): the browser cannot keep a client secret, so each sign-in proves that
// whoever redeems the authorization code is whoever asked for it. A few lines of Web Crypto, no library.

/** RFC 4648 §5 base64url without padding, as RFC 7636 requires. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomUrlSafe(byteCount: number): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(byteCount)));
}

/** 32 random bytes → 43 characters: the minimum length RFC 7636 allows, with 256 bits of entropy. */
export function createCodeVerifier(): string {
  return randomUrlSafe(32);
}

/** The `state` that ties the hosted UI's answer to the sign-in this tab started. */
export function createState(): string {
  return randomUrlSafe(24);
}

/** `code_challenge` for method S256: base64url(SHA-256(ASCII(verifier))). */
export async function codeChallengeFor(verifier: string): Promise<string> {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) throw new Error('A PKCE code verifier is 43 to 128 unreserved characters');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64UrlEncode(new Uint8Array(digest));
}
