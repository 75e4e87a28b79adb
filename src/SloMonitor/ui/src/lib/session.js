// The signed-in token: kept in sessionStorage (this tab only, gone when it closes), never in a cookie, so no other
// site can make the browser send it. A link of the form /ui#token=… (as ./run.sh prints) signs in and is cleared
// from the address at once.

const key = 'slomonitor.token';

/** Who is signed in, once the service said so: pages use it to say who did what. */
export const session = { name: null };

export function currentToken() {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function keepToken(token) {
  sessionStorage.setItem(key, token.trim());
}

export function forgetToken() {
  sessionStorage.removeItem(key);
}

/** Takes a token from the address's fragment, if there is one, and removes it from the address. */
export function takeTokenFromAddress() {
  const match = window.location.hash.match(/^#token=([A-Za-z0-9_-]+)$/);
  if (!match) return;
  keepToken(match[1]);
  history.replaceState(null, '', window.location.pathname + window.location.search);
}
