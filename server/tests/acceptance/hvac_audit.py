"""Audit through hvac 2.4.0: people use secrets, an auditor finds every access.

Run by server/tests/hvac_audit_acceptance.rs against a fresh `arcanum server --dev` (root token
`root`, KV v2 at secret/): enables the database audit device, lets alice and bob log in with
userpass and read and write secrets, then checks that the query API (`sys/audit-log/*`) finds
each of their requests under the right identity, and that no secret appears in clear.
Exits non-zero with a message on the first thing that is wrong.
"""

import csv
import io
import sys

import hvac
import requests
from hvac import exceptions

URL = sys.argv[1]
SECRET = "s3cret-db-password"


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL: {message}")


root = hvac.Client(url=URL, token="root")
root.sys.enable_audit_device(device_type="database", path="db", options={"retention_days": "30"})
devices = root.sys.list_enabled_audit_devices()["data"]
check(devices["db/"]["type"] == "database", f"the database device is listed: {devices}")

root.sys.enable_auth_method("userpass")
root.sys.create_or_update_policy("app", 'path "secret/data/app/*" { capabilities = ["create", "read", "update"] }')
for name in ("alice", "bob"):
    root.auth.userpass.create_or_update_user(name, password=f"{name}-password", policies=["app"])

people = {}
for name in ("alice", "bob"):
    client = hvac.Client(url=URL)
    client.auth.userpass.login(name, f"{name}-password")
    people[name] = client

# What each did: (request id, identity, operation, path).
done = []
r = people["alice"].secrets.kv.v2.create_or_update_secret(path="app/db", secret={"password": SECRET})
done.append((r["request_id"], "userpass-alice", "create", "secret/data/app/db"))
r = people["bob"].secrets.kv.v2.read_secret_version(path="app/db", raise_on_deleted_version=True)
check(r["data"]["data"]["password"] == SECRET, "bob reads the secret")
done.append((r["request_id"], "userpass-bob", "read", "secret/data/app/db"))
r = people["alice"].secrets.kv.v2.create_or_update_secret(path="app/db", secret={"password": SECRET + "-2"})
done.append((r["request_id"], "userpass-alice", "update", "secret/data/app/db"))
r = people["bob"].secrets.kv.v2.create_or_update_secret(path="app/cache", secret={"url": "redis://cache"})
done.append((r["request_id"], "userpass-bob", "create", "secret/data/app/cache"))
try:
    people["bob"].secrets.kv.v2.read_secret_version(path="other/thing", raise_on_deleted_version=True)
    sys.exit("FAIL: bob may not read secret/data/other/thing")
except exceptions.Forbidden:
    pass


def search(**params):
    return root.adapter.get("/v1/sys/audit-log/search", params=params)["data"]


# Every request is found under its identity, with its operation and path.
for request_id, identity, operation, path in done:
    found = search(identity=identity, path_prefix=path, entry_type="request", limit=1000)["records"]
    mine = [rec for rec in found if rec["request_id"] == request_id]
    check(len(mine) == 1, f"{identity}'s {operation} of {path} ({request_id}) is found once: {found}")
    rec = mine[0]
    check(rec["display_name"] == identity, f"identity of {request_id}: {rec}")
    check(rec["operation"] == operation, f"operation of {request_id}: {rec}")
    check(rec["path"] == path and rec["mount"] == "secret/", f"path of {request_id}: {rec}")
    check(rec["policies"] == ["app", "default"] or rec["policies"] == ["default", "app"], f"policies: {rec}")
    check(rec["remote_address"] == "127.0.0.1", f"remote address: {rec}")
    responses = search(identity=identity, path_prefix=path, entry_type="response", limit=1000)["records"]
    check(any(x["request_id"] == request_id and x["status"] in (200, 204) for x in responses), "the response too")

# The denied read is there, as an error.
denied = search(identity="userpass-bob", path_prefix="secret/data/other/", outcome="error")["records"]
check(denied and all("permission denied" in x["error"] for x in denied), f"bob's denied read: {denied}")

# Who accessed the secret; what bob accessed.
who = root.adapter.get("/v1/sys/audit-log/who-accessed", params={"path": "secret/data/app/db"})["data"]
counts = {x["display_name"]: x for x in who["identities"]}
check(counts["userpass-alice"]["count"] == 2 and counts["userpass-alice"]["operations"] == ["create", "update"], f"{who}")
check(counts["userpass-bob"]["count"] == 1 and counts["userpass-bob"]["operations"] == ["read"], f"{who}")
what = root.adapter.get("/v1/sys/audit-log/accessed-by", params={"identity": "userpass-bob"})["data"]["paths"]
seen = {(x["path"], x["operation"]) for x in what}
check({("secret/data/app/db", "read"), ("secret/data/app/cache", "create")} <= seen, f"what bob accessed: {what}")

# A search by value finds the write that carried it and the read that returned it.
by_value = search(value=SECRET, limit=1000)["records"]
ids = {x["request_id"] for x in by_value}
check(done[0][0] in ids and done[1][0] in ids, f"search by value: {[x['request_id'] for x in by_value]}")

# Paging returns every row once.
seen_ids, cursor = [], None
while True:
    params = {"limit": 3, "identity": "userpass-alice"}
    if cursor:
        params["cursor"] = cursor
    page = search(**params)
    seen_ids += [(x["request_id"], x["type"]) for x in page["records"]]
    cursor = page["next_cursor"]
    if not cursor:
        break
check(len(seen_ids) == len(set(seen_ids)) and len(seen_ids) >= 4, f"paging: {seen_ids}")

# Exports: CSV and JSON lines, and never a secret in clear.
headers = {"X-Vault-Token": "root"}
export = requests.get(f"{URL}/v1/sys/audit-log/export", params={"format": "csv"}, headers=headers, timeout=30)
check(export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv"), f"csv: {export.status_code}")
rows = list(csv.DictReader(io.StringIO(export.text)))
check(any(r["request_id"] == done[0][0] for r in rows), "the csv export has alice's write")
lines = requests.get(f"{URL}/v1/sys/audit-log/export", headers=headers, timeout=30)
check(lines.headers["Content-Type"].startswith("application/x-ndjson"), "json lines")
for text in (export.text, lines.text):
    check(SECRET not in text and "alice-password" not in text, "no secret or password in clear")

# Bad filters are named; the auditor's API needs sudo.
for params, fragment in (({"since": "yesterday"}, "since"), ({"outcome": "maybe"}, "outcome"), ({"bogus": "1"}, "bogus")):
    try:
        search(**params)
        sys.exit(f"FAIL: {params} should be refused")
    except exceptions.InvalidRequest as err:
        check(fragment in str(err), f"{params}: {err}")
try:
    people["alice"].adapter.get("/v1/sys/audit-log/search")
    sys.exit("FAIL: alice may not search the audit log")
except exceptions.Forbidden:
    pass

print("hvac audit scenario passed")
