"""Real data for the schemathesis run: creates one of each resource through the API (as the
admin) and writes every id it got to the file named by its first argument, one per line in the
libFuzzer dictionary format schemathesis reads, so that operations under `/{id}` are called
with ids that exist. Stdlib only."""

import json
import sys
import urllib.error
import urllib.request

BASE, PASSWORD, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
ids = []


def call(method, path, body=None, token=None, required=True):
    request = urllib.request.Request(BASE + path, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(request, data) as response:
            answer = json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        if required:
            sys.exit(f"fixture: {method} {path} answered {error.code}: {error.read().decode()}")
        print(f"fixture: {method} {path} answered {error.code} (left out)")
        return None
    if isinstance(answer, dict) and "id" in answer:
        ids.append(answer["id"])
    return answer


token = call("POST", "/api/v1/auth/token",
             {"grant_type": "password", "username": "admin", "password": PASSWORD})["access_token"]
post = lambda path, body, required=True: call("POST", path, body, token, required)  # noqa: E731

vejle = post("/api/v1/organisations", {"name": "Vejle Kommune", "kind": "municipality", "municipality_code": "630"})["id"]
kolding = post("/api/v1/organisations", {"name": "Kolding Kommune", "kind": "municipality", "municipality_code": "621"})["id"]
jobcentre = post("/api/v1/organisations", {"name": "Jobcenter Vejle", "kind": "jobcentre", "parent_id": vejle})["id"]
post("/api/v1/organisations", {"name": "Vejle Bryghus", "kind": "employer", "cvr": "10150817"}, required=False)
post("/api/v1/users", {"username": "coordinator", "display_name": "Mette Kristensen", "role": "coordinator",
                       "organisation_id": vejle, "password": "a long fixture password"}, required=False)
programme = post("/api/v1/programmes", {"name": "Ligestillet Støtte", "start_date": "2026-01-01", "end_date": "2027-06-30",
                                        "lead_organisation_id": vejle,
                                        "models": ["peer_guide", "individual_peer_support", "employment_support", "peer_teaching"]})["id"]
post(f"/api/v1/programmes/{programme}/partners", {"organisation_id": kolding, "role": "partner"})
post(f"/api/v1/programmes/{programme}/targets", {"metric": "peers_trained", "value": 12, "deadline": "2027-06-30"})
peer = post("/api/v1/peer-workers", {"name": "Anna Nielsen", "organisation_id": vejle, "engagement": "volunteer",
                                     "programme_ids": [programme], "municipality_codes": ["630"], "languages": ["da"],
                                     "capacity": 2})["id"]
post(f"/api/v1/peer-workers/{peer}/qualifications",
     {"kind": "peer_guide", "evidence": "Peer education, Recovery College Vejle", "earned_on": "2026-01-15"}, required=False)
citizen = post("/api/v1/citizens", {"name": "Jonas Holm", "cpr": "070761-4286", "municipality_code": "630",
                                    "phone": "+45 21 31 41 51"})["id"]
for purpose in ["data_processing", "share_with_jobcentre"]:
    post(f"/api/v1/citizens/{citizen}/consents", {"purpose": purpose, "given_on": "2026-01-05", "method": "written"})
course = post("/api/v1/support-courses", {"citizen_id": citizen, "model": "peer_guide", "programme_id": programme,
                                          "context": "Discharged on 2026-11-15"})["id"]
goal = post(f"/api/v1/support-courses/{course}/goals", {"text": "Back to my studies", "domain": "education"}, required=False)
post("/api/v1/training-cohorts", {"programme_id": programme, "provider_organisation_id": kolding,
                                  "start_date": "2026-03-01", "end_date": "2026-06-30", "grants": ["peer_guide"]}, required=False)
post(f"/api/v1/citizens/{citizen}/employment-statuses", {"effective_on": "2026-01-31", "status": "employed_ordinary"},
     required=False)
post("/api/v1/referrals", {"support_course_id": course, "target_organisation_id": jobcentre,
                           "purpose": "Help with a flexjob", "requested_by_citizen": True}, required=False)
checks = call("GET", "/api/v1/retention-checks", token=token, required=False) or {"items": []}
ids += [check["id"] for check in checks["items"]]

with open(OUT, "w") as out:
    for value in dict.fromkeys(ids):
        out.write(f'"{value}"\n')
print(f"fixture: {len(set(ids))} ids")
