"""The integrator's scenario with the Python client that `openapi-python-client` generated from
the served contract (package `brobygger_client`, on `sys.path` from `.ci/clients`): a token,
creates, a list followed page by page, a `PATCH` with `If-Match`, a transition, and the `412`
of a stale `If-Match`. Usage: scenario.py BASE_URL ADMIN_PASSWORD. Exits non-zero on the first
surprise."""

import datetime
import sys
import uuid

from brobygger_client import AuthenticatedClient, Client
from brobygger_client.api.auth import get_me, issue_token
from brobygger_client.api.programmes import (
    create_programme,
    list_programmes,
    transition_programme,
    update_programme,
)
from brobygger_client.models import (
    GrantType,
    PageProgramme,
    Phase,
    Problem,
    Programme,
    ProgrammeInput,
    ProgrammePatch,
    ProgrammeTransition,
    TokenRequest,
    TokenResponse,
)

BASE, PASSWORD = sys.argv[1], sys.argv[2]


def check(condition, what):
    if not condition:
        sys.exit(f"python scenario: {what}")
    print(f"python: {what}: ok")


# A token, through the client's own token operation (a form, as RFC 6749 has it).
public = Client(base_url=BASE, raise_on_unexpected_status=True)
answer = issue_token.sync_detailed(
    client=public,
    body=TokenRequest(grant_type=GrantType.PASSWORD, username="admin", password=PASSWORD),
)
check(answer.status_code == 200 and isinstance(answer.parsed, TokenResponse), "token issued")
wrong = issue_token.sync_detailed(
    client=public,
    body=TokenRequest(grant_type=GrantType.PASSWORD, username="admin", password="not-the-password"),
)
check(wrong.status_code == 400 and isinstance(wrong.parsed, Problem), "a wrong password is a 400 invalid_grant problem (RFC 6749 5.2)")
api = AuthenticatedClient(base_url=BASE, token=answer.parsed.access_token, raise_on_unexpected_status=True)

me = get_me.sync(client=api)
lead = me.organisation.id

# Five programmes, each with its own Idempotency-Key.
run = uuid.uuid4().hex[:8]
created = []
for i in range(5):
    response = create_programme.sync_detailed(
        client=api,
        body=ProgrammeInput(
            name=f"Python scenario {run} #{i}",
            start_date=datetime.date(2026, 1, 1),
            lead_organisation_id=lead,
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    check(response.status_code == 201 and isinstance(response.parsed, Programme), f"programme {i} created")
    created.append(response.parsed)

# Every page, two at a time, following next_cursor until it is null.
seen, pages, cursor = set(), 0, None
while True:
    page = list_programmes.sync(client=api, limit=2, **({"cursor": cursor} if cursor else {}))
    assert isinstance(page, PageProgramme), page
    pages += 1
    seen.update(p.id for p in page.items)
    cursor = page.next_cursor
    if cursor is None:
        break
check(pages >= 3 and {p.id for p in created} <= seen, f"{pages} pages listed every programme created")

# A change with If-Match (the ETag of the read), then a transition.
first = created[0]
changed = update_programme.sync_detailed(
    first.id, client=api, body=ProgrammePatch(grant_dkk=1_250_000), if_match=f'"{first.version}"'
)
check(changed.status_code == 200 and changed.parsed.grant_dkk == 1_250_000, "PATCH with If-Match")
check(changed.headers["etag"] == f'"{changed.parsed.version}"', "the new ETag is the new version")
moved = transition_programme.sync_detailed(
    first.id,
    client=api,
    body=ProgrammeTransition(to=Phase.IMPLEMENTATION, reason="Python scenario"),
    idempotency_key=str(uuid.uuid4()),
)
check(moved.status_code == 200 and moved.parsed.phase == Phase.IMPLEMENTATION, "transition to implementation")

# The version read before the change is stale now.
stale = update_programme.sync_detailed(
    first.id, client=api, body=ProgrammePatch(grant_dkk=1), if_match=f'"{first.version}"'
)
check(
    stale.status_code == 412 and isinstance(stale.parsed, Problem) and stale.parsed.code == "version_mismatch",
    "a stale If-Match is 412 version_mismatch",
)
print("python scenario: passed")
