// Single sign-on: the OAuth 2.0 authorization code flow with PKCE (RFC 7636) for a public client, as browsers run it.
// The service tells the UI its issuer and client id (/api/v1/ui/config); the issuer's discovery document names its
// endpoints. The access token it returns is a JWT the service accepts as a bearer token, kept like a pasted token.
import { keepToken } from './session.js';

const pendingKey = 'slomonitor.oidc';

export const callbackPath = '/ui/signin-callback';

const base64Url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');

const random = (length) => base64Url(crypto.getRandomValues(new Uint8Array(length)));

async function discover(issuer) {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the issuer's discovery document answered ${response.status}`);
  return response.json();
}

/** Sends the browser to the issuer to sign in; it comes back to `callbackPath`. */
export async function startSignIn(config, returnTo) {
  const metadata = await discover(config.issuer);
  const verifier = random(48);
  const state = random(24);
  const challenge = base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(pendingKey, JSON.stringify({ verifier, state, returnTo, tokenEndpoint: metadata.token_endpoint }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: window.location.origin + callbackPath,
    scope: config.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  window.location.assign(`${metadata.authorization_endpoint}?${query}`);
}

/**
 * On `callbackPath`: trades the code for a token (checking the state this tab sent) and returns where to go next.
 * Throws with the issuer's error when it refused.
 */
export async function completeSignIn(config) {
  const query = new URLSearchParams(window.location.search);
  const pending = JSON.parse(sessionStorage.getItem(pendingKey) ?? 'null');
  sessionStorage.removeItem(pendingKey);
  if (query.get('error')) throw new Error(`the issuer refused: ${query.get('error_description') ?? query.get('error')}`);
  if (!pending || query.get('state') !== pending.state) throw new Error('this sign-in was not started from this tab; start it again');
  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: query.get('code') ?? '',
      redirect_uri: window.location.origin + callbackPath,
      client_id: config.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) throw new Error(`the issuer gave no token: ${body.error_description ?? body.error ?? response.status}`);
  keepToken(body.access_token);
  return pending.returnTo || '/ui';
}
