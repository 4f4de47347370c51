"""A standard OAuth 2.0 library against the token endpoint: authlib's client-credentials grant
with HTTP Basic client authentication (RFC 6749 2.3.1), for the integration client that
`brobygger create-user --role integration` printed. A wrong secret must raise authlib's
OAuthError with `invalid_client`; the token must carry the scope the client was given and read
citizens; a write outside that scope must be `403 insufficient_scope`.
Usage: oauth.py BASE_URL CLIENT_ID CLIENT_SECRET. Exits non-zero on the first surprise."""

import sys

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

BASE, CLIENT_ID, SECRET = sys.argv[1], sys.argv[2], sys.argv[3]
TOKEN_URL = f"{BASE}/api/v1/auth/token"


def check(condition, what):
    if not condition:
        sys.exit(f"oauth scenario: {what}")
    print(f"authlib: {what}: ok")


session = OAuth2Session(CLIENT_ID, SECRET, token_endpoint_auth_method="client_secret_basic")
token = session.fetch_token(TOKEN_URL, grant_type="client_credentials")
check(token.get("token_type", "").lower() == "bearer", "client credentials with HTTP Basic give a token")
check(token.get("scope") == "citizens:read", f"the token response lists the client's scope ({token.get('scope')})")

listed = session.get(f"{BASE}/api/v1/citizens")
check(listed.status_code == 200, "the token reads citizens")
written = session.post(f"{BASE}/api/v1/citizens", json={"name": "Ib Holm", "municipality_code": "630"})
check(
    written.status_code == 403 and written.json().get("code") == "insufficient_scope",
    "a write outside its scope is 403 insufficient_scope",
)

wrong = OAuth2Session(CLIENT_ID, "not-the-secret", token_endpoint_auth_method="client_secret_basic")
try:
    wrong.fetch_token(TOKEN_URL, grant_type="client_credentials")
except OAuthError as error:
    check(error.error == "invalid_client", "a wrong secret raises OAuthError invalid_client")
else:
    sys.exit("oauth scenario: a wrong secret gave a token")
