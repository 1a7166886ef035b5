"""The Vault API core through hvac 2.4.0, the Python client most Vault tooling uses.

Run by server/tests/hvac_api_acceptance.rs against a fresh `arcanum server --dev` (root token
`root`, KV v2 at secret/). Every expectation below was checked against a real OpenBao 2.7.2 dev
server (`bao server -dev`), so the script passes against both; run it by hand with
`python3 hvac_api.py http://127.0.0.1:8200`.

Exits non-zero with a message on the first thing that is not as OpenBao would answer. With
`HVAC_KEEP_GOING=1` it carries on after a failure and lists every failure at the end, which is
how to survey a server quickly. The last section, `gaps`, checks that what Arcanum does not
do yet is refused clearly.
"""

import datetime
import os
import re
import sys
import warnings

import hvac
import requests
from hvac import exceptions

KEEP_GOING = os.environ.get("HVAC_KEEP_GOING") == "1"
FAILURES = []
SECTION = ["setup"]

ENVELOPE = {"request_id", "lease_id", "renewable", "lease_duration", "data", "wrap_info", "warnings", "auth"}
WRITE_META = {"created_time", "custom_metadata", "deletion_time", "destroyed", "version"}
SYSTEM_TTL = 2764800  # 768h: the default and maximum lease TTL of a dev server
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")


def fail(message):
    message = f"FAIL [{SECTION[0]}]: {message}"
    if not KEEP_GOING:
        sys.exit(message)
    print(message, flush=True)
    FAILURES.append(message)


def check(condition, message):
    if not condition:
        fail(message)
    return condition


def expect_error(kind, fragment, call, *args, **kwargs):
    """Call, expecting hvac to raise `kind` whose text contains `fragment`; return the error."""
    name = getattr(call, "__name__", repr(call))
    try:
        result = call(*args, **kwargs)
    except kind as err:
        check(fragment in str(err), f"{name}: wanted {fragment!r} in {kind.__name__}: {err}")
        return err
    except exceptions.VaultError as err:
        fail(f"{name}{args}: wanted {kind.__name__} ({fragment!r}), got {type(err).__name__}: {err}")
        return err
    fail(f"{name}{args} {kwargs}: should have raised {kind.__name__} ({fragment!r}), returned {result!r}")
    return None


def status(response):
    """hvac's JSONAdapter returns a dict for a 200 with JSON and the Response otherwise."""
    return 200 if isinstance(response, dict) else response.status_code


def parse_time(text):
    """An RFC3339(Nano) timestamp as an aware datetime (Python wants at most 6 fraction digits)."""
    check(isinstance(text, str) and RFC3339.match(text), f"{text!r} is an RFC3339 timestamp")
    text = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(text)


def client_for(url, token):
    return hvac.Client(url=url, token=token)


# ----------------------------------------------------------------------------------------------
# KV v2


def kv_v2(client):
    SECTION[0] = "kv v2"
    kv = client.secrets.kv.v2

    written = kv.create_or_update_secret(path="app/db", secret={"user": "u", "pass": "p1"})
    check(set(written) == ENVELOPE, f"a write answers the full envelope: {sorted(written)}")
    meta = written["data"]
    check(set(meta) == WRITE_META, f"a write answers the version's metadata: {meta}")
    check(meta["version"] == 1 and meta["destroyed"] is False and meta["deletion_time"] == "", f"version 1: {meta}")
    check(meta["custom_metadata"] is None, f"no custom metadata yet: {meta}")
    parse_time(meta["created_time"])

    read = kv.read_secret_version(path="app/db", raise_on_deleted_version=True)
    check(set(read) == ENVELOPE, f"a read answers the full envelope: {sorted(read)}")
    check(read["data"]["data"] == {"user": "u", "pass": "p1"}, f"read back: {read['data']}")
    check(read["data"]["metadata"]["version"] == 1, f"read metadata: {read['data']['metadata']}")
    check(read["lease_duration"] == 0 and read["lease_id"] == "" and read["renewable"] is False,
          f"KV v2 reads are not leased: {read}")
    check(read["warnings"] is None and read["auth"] is None and read["wrap_info"] is None, f"nulls: {read}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        check(kv.read_secret(path="app/db")["data"]["data"]["pass"] == "p1", "read_secret reads the latest")

    # Check-and-set.
    check(kv.create_or_update_secret(path="app/db", secret={"user": "u", "pass": "p2"}, cas=1)["data"]["version"] == 2,
          "cas=1 matches version 1")
    expect_error(exceptions.InvalidRequest, "check-and-set parameter did not match the current version",
                 kv.create_or_update_secret, path="app/db", secret={"x": "y"}, cas=1)
    expect_error(exceptions.InvalidRequest, "check-and-set parameter did not match the current version",
                 kv.create_or_update_secret, path="app/db", secret={"x": "y"}, cas=0)
    created = kv.create_or_update_secret(path="app/new", secret={"n": "1"}, cas=0)
    check(created["data"]["version"] == 1, f"cas=0 creates a new key: {created}")
    expect_error(exceptions.InvalidRequest, "check-and-set parameter did not match the current version",
                 kv.create_or_update_secret, path="app/new", secret={"n": "2"}, cas=0)

    # Versions.
    old = kv.read_secret_version(path="app/db", version=1, raise_on_deleted_version=True)
    check(old["data"]["data"]["pass"] == "p1" and old["data"]["metadata"]["version"] == 1, f"version=1: {old}")
    expect_error(exceptions.InvalidPath, "", kv.read_secret_version, path="app/db", version=9,
                 raise_on_deleted_version=True)
    expect_error(exceptions.InvalidPath, "", kv.read_secret_version, path="app/missing",
                 raise_on_deleted_version=True)

    # hvac's patch is read-then-write with cas = the version read.
    patched = kv.patch(path="app/db", secret={"pass": "p3", "extra": "e"})
    check(patched["data"]["version"] == 3, f"patch writes version 3: {patched}")
    check(kv.read_secret_version(path="app/db", raise_on_deleted_version=True)["data"]["data"]
          == {"user": "u", "pass": "p3", "extra": "e"}, "patch merged")
    expect_error(exceptions.InvalidPath, "patch only works on existing data", kv.patch, path="app/nope",
                 secret={"a": "b"})

    # Soft delete of the latest version; a deleted version reads as a 404 that carries metadata.
    check(status(kv.delete_latest_version_of_secret(path="app/db")) == 204, "delete latest answers 204")
    expect_error(exceptions.InvalidPath, "", kv.read_secret_version, path="app/db", raise_on_deleted_version=True)
    deleted = kv.read_secret_version(path="app/db", raise_on_deleted_version=False)
    check(deleted["data"]["data"] is None, f"a deleted version has no data: {deleted}")
    check(deleted["data"]["metadata"]["version"] == 3, f"the deleted version is 3: {deleted}")
    check(deleted["data"]["metadata"]["deletion_time"] != "", f"deletion_time is set: {deleted}")
    parse_time(deleted["data"]["metadata"]["deletion_time"])
    check(status(kv.delete_latest_version_of_secret(path="app/db")) == 204, "deleting it again is a no-op 204")

    check(status(kv.delete_secret_versions(path="app/db", versions=[1])) == 204, "delete versions answers 204")
    expect_error(exceptions.InvalidPath, "", kv.read_secret_version, path="app/db", version=1,
                 raise_on_deleted_version=True)
    check(status(kv.undelete_secret_versions(path="app/db", versions=[1, 3])) == 204, "undelete answers 204")
    check(kv.read_secret_version(path="app/db", version=1, raise_on_deleted_version=True)["data"]["data"]["pass"]
          == "p1", "version 1 is back")
    check(kv.read_secret_version(path="app/db", raise_on_deleted_version=True)["data"]["metadata"]["deletion_time"]
          == "", "version 3 is back")
    # hvac refuses an empty list itself, so send it raw.
    expect_error(exceptions.InvalidRequest, "No version number provided", client.adapter.post,
                 "/v1/secret/delete/app/db", json={"versions": []})
    expect_error(exceptions.InvalidRequest, "no version number provided", client.adapter.post,
                 "/v1/secret/destroy/app/db", json={"versions": []})

    check(status(kv.destroy_secret_versions(path="app/db", versions=[2])) == 204, "destroy answers 204")
    err = expect_error(exceptions.InvalidPath, "", kv.read_secret_version, path="app/db", version=2,
                       raise_on_deleted_version=False)  # destroyed, never soft-deleted: deletion_time is ""
    if err is not None and check(isinstance(err.json, dict) and isinstance(err.json.get("data"), dict),
                                 f"a destroyed version's 404 carries an envelope: {err.json}"):
        check(err.json["data"]["data"] is None and err.json["data"]["metadata"]["destroyed"] is True,
              f"destroyed version 404 body: {err.json}")

    # Metadata.
    md = kv.read_secret_metadata(path="app/db")["data"]
    check(md["current_version"] == 3 and set(md["versions"]) == {"1", "2", "3"}, f"metadata versions: {md}")
    check(md["versions"]["2"]["destroyed"] is True and md["versions"]["1"]["destroyed"] is False, f"destroyed: {md}")
    check(md["max_versions"] == 0 and md["cas_required"] is False and md["oldest_version"] == 0, f"defaults: {md}")
    check(md["custom_metadata"] is None and md["delete_version_after"] == "0s", f"defaults: {md}")
    for key in ("created_time", "updated_time"):
        parse_time(md[key])
    check(set(md["versions"]["1"]) == {"created_time", "deletion_time", "destroyed"}, f"version entry: {md}")

    check(status(kv.update_metadata(path="app/db", max_versions=2, custom_metadata={"owner": "team-a", "tier": "1"}))
          == 204, "update_metadata answers 204")
    md = kv.read_secret_metadata(path="app/db")["data"]
    check(md["max_versions"] == 2 and md["custom_metadata"] == {"owner": "team-a", "tier": "1"}, f"updated: {md}")
    check(set(md["versions"]) == {"1", "2", "3"}, f"lowering max_versions trims only on the next write: {md}")
    kv.update_metadata(path="app/db", custom_metadata={"owner": "team-b"})
    md = kv.read_secret_metadata(path="app/db")["data"]
    check(md["custom_metadata"] == {"owner": "team-b"} and md["max_versions"] == 2,
          f"custom_metadata is replaced whole, max_versions kept: {md}")
    check(kv.read_secret_version(path="app/db", raise_on_deleted_version=True)["data"]["metadata"]["custom_metadata"]
          == {"owner": "team-b"}, "reads carry the key's custom_metadata")

    kv.create_or_update_secret(path="app/db", secret={"pass": "p4"})
    md = kv.read_secret_metadata(path="app/db")["data"]
    check(md["current_version"] == 4 and set(md["versions"]) == {"3", "4"} and md["oldest_version"] == 3,
          f"a write trims to max_versions: {md}")
    expect_error(exceptions.InvalidPath, "", kv.read_secret_version, path="app/db", version=1,
                 raise_on_deleted_version=False)

    kv.update_metadata(path="app/db", delete_version_after="1h")
    check(kv.read_secret_metadata(path="app/db")["data"]["delete_version_after"] == "1h0m0s",
          "delete_version_after reads back as a Go duration")
    kv.update_metadata(path="app/db", delete_version_after="0s")
    kv.update_metadata(path="app/db", cas_required=True)
    expect_error(exceptions.InvalidRequest, "check-and-set parameter required for this call",
                 kv.create_or_update_secret, path="app/db", secret={"pass": "p5"})
    check(kv.create_or_update_secret(path="app/db", secret={"pass": "p5"}, cas=4)["data"]["version"] == 5,
          "with cas it writes")
    kv.update_metadata(path="app/db", cas_required=False)
    check(kv.read_secret_metadata(path="app/db")["data"]["cas_required"] is False, "cas_required cleared")

    # Metadata for a key with no versions (ESO's PushSecret writes metadata first).
    kv.update_metadata(path="app/meta-only", custom_metadata={"managed-by": "external-secrets"})
    md = kv.read_secret_metadata(path="app/meta-only")["data"]
    check(md["current_version"] == 0 and md["versions"] == {}, f"metadata-only key: {md}")
    expect_error(exceptions.InvalidPath, "", kv.read_secret_version, path="app/meta-only",
                 raise_on_deleted_version=True)

    # Lists.
    kv.create_or_update_secret(path="top", secret={"t": "1"})
    listed = kv.list_secrets(path="")
    check(listed["data"]["keys"] == ["app/", "top"], f"root list: {listed['data']}")
    check(kv.list_secrets(path="app")["data"]["keys"] == ["db", "meta-only", "new"], "folder list")
    check(kv.list_secrets(path="app/")["data"]["keys"] == ["db", "meta-only", "new"], "folder list with a slash")
    expect_error(exceptions.InvalidPath, "", kv.list_secrets, path="nothing-here")

    # Mount configuration.
    config = kv.read_configuration()
    check(config["data"] == {"cas_required": False, "delete_version_after": "0s", "max_versions": 0,
                             "metadata_cas_required": False}, f"default config: {config['data']}")
    check(status(kv.configure(cas_required=True)) == 204, "configure answers 204")
    config = kv.read_configuration()["data"]
    check(config["cas_required"] is True and config["max_versions"] == 10, f"configured (hvac sends 10): {config}")
    expect_error(exceptions.InvalidRequest, "check-and-set parameter required for this call",
                 kv.create_or_update_secret, path="top", secret={"t": "2"})
    check(kv.create_or_update_secret(path="top", secret={"t": "2"}, cas=1)["data"]["version"] == 2,
          "cas satisfies cas_required")
    kv.configure(max_versions=0, cas_required=False)
    check(kv.read_configuration()["data"]["cas_required"] is False, "cas_required off again")
    check(kv.create_or_update_secret(path="top", secret={"t": "3"})["data"]["version"] == 3, "writes without cas")

    # Delete everything.
    check(status(kv.delete_metadata_and_all_versions(path="app/db")) == 204, "delete metadata answers 204")
    expect_error(exceptions.InvalidPath, "", kv.read_secret_metadata, path="app/db")
    expect_error(exceptions.InvalidPath, "", kv.read_secret_version, path="app/db", raise_on_deleted_version=False)
    check(kv.list_secrets(path="app")["data"]["keys"] == ["meta-only", "new"], "deleted key left the list")
    check(kv.create_or_update_secret(path="app/db", secret={"a": "b"})["data"]["version"] == 1,
          "a recreated key starts at version 1")
    check(status(kv.delete_metadata_and_all_versions(path="never-existed")) == 204, "deleting a missing key is 204")


# ----------------------------------------------------------------------------------------------
# KV v1


def kv_v1(client):
    SECTION[0] = "kv v1"
    check(status(client.sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"})) == 204,
          "enable kv v1 answers 204")
    kv = client.secrets.kv.v1
    check(status(kv.create_or_update_secret(path="a/b", secret={"k": "v", "ttl": "1h"}, mount_point="kv1")) == 204,
          "a v1 write answers 204")
    kv.create_or_update_secret(path="c", secret={"x": "y", "n": 12345678901234567890}, mount_point="kv1")
    read = kv.read_secret(path="a/b", mount_point="kv1")
    check(read["data"] == {"k": "v", "ttl": "1h"}, f"v1 read: {read}")
    check(read["lease_duration"] == 3600 and read["lease_id"] == "" and read["renewable"] is False,
          f"v1 lease_duration comes from ttl: {read}")
    read = kv.read_secret(path="c", mount_point="kv1")
    check(read["data"] == {"x": "y", "n": 12345678901234567890}, f"v1 keeps number text exactly: {read['data']}")
    check(read["lease_duration"] == SYSTEM_TTL, f"v1 lease_duration defaults to the mount's TTL: {read}")
    # Overwrite (hvac chooses PUT after an existence read).
    kv.create_or_update_secret(path="c", secret={"x": "z"}, mount_point="kv1")
    check(kv.read_secret(path="c", mount_point="kv1")["data"] == {"x": "z"}, "v1 overwrite replaces the map")

    check(kv.list_secrets(path="", mount_point="kv1")["data"]["keys"] == ["a/", "c"], "v1 root list")
    check(kv.list_secrets(path="a", mount_point="kv1")["data"]["keys"] == ["b"], "v1 folder list")
    expect_error(exceptions.InvalidPath, "", kv.list_secrets, path="zzz", mount_point="kv1")
    expect_error(exceptions.InvalidRequest, "missing data fields", client.adapter.post, "/v1/kv1/empty", json={})

    check(status(kv.delete_secret(path="a/b", mount_point="kv1")) == 204, "v1 delete answers 204")
    expect_error(exceptions.InvalidPath, "", kv.read_secret, path="a/b", mount_point="kv1")
    check(status(kv.delete_secret(path="a/b", mount_point="kv1")) == 204, "v1 delete of a missing key is 204")

    ui = client.adapter.get("/v1/sys/internal/ui/mounts/kv1")
    check(ui["data"]["type"] == "kv" and ui["data"]["options"] == {"version": "1"} and ui["data"]["path"] == "kv1/",
          f"ui mounts for v1: {ui['data']}")


# ----------------------------------------------------------------------------------------------
# Policies


READER = """
path "secret/data/app/*" {
  capabilities = ["read"]
}
path "secret/metadata/app/*" {
  capabilities = ["list"]
}
"""

LEGACY = 'path "kv1/*" { capabilities = ["read", "list"] }'

TOKEN_MAKER = """
path "auth/token/create" {
  capabilities = ["update"]
}
path "secret/data/app/*" {
  capabilities = ["read"]
}
"""


def policies(client, url):
    SECTION[0] = "policies"
    sysb = client.sys
    check(status(sysb.create_or_update_acl_policy(name="app-reader", policy=READER)) == 204, "acl write answers 204")
    sysb.create_or_update_acl_policy(name="token-maker", policy=TOKEN_MAKER)
    read = sysb.read_acl_policy(name="app-reader")
    check(read["data"]["name"] == "app-reader" and read["data"]["policy"] == READER, f"acl read: {read['data']}")
    check(read["data"]["version"] == 1, f"version 1: {read['data']}")
    keys = sysb.list_acl_policies()["data"]["keys"]
    check({"app-reader", "default", "root", "token-maker"} <= set(keys), f"acl list: {keys}")
    check(keys[-1] == "root", f"root is listed last: {keys}")
    check(sysb.read_acl_policy(name="root")["data"]["name"] == "root", "the root policy reads")
    expect_error(exceptions.InvalidPath, "", sysb.read_acl_policy, name="nope")
    sysb.create_or_update_acl_policy(name="MixedCase", policy=LEGACY)
    check(sysb.read_acl_policy(name="MIXEDCASE")["data"]["name"] == "mixedcase", "policy names are lowercased")
    sysb.delete_acl_policy(name="mixedcase")

    # Legacy sys/policy.
    check(status(sysb.create_or_update_policy(name="legacy", policy=LEGACY)) == 204, "legacy write answers 204")
    legacy = sysb.read_policy(name="legacy")
    check(legacy["data"]["rules"] == LEGACY and legacy["data"]["name"] == "legacy", f"legacy read: {legacy['data']}")
    check(legacy.get("rules") == LEGACY, f"sys/policy copies data to the top level: {sorted(legacy)}")
    listed = sysb.list_policies()
    check("legacy" in listed["data"]["policies"] and "root" in listed["data"]["policies"], f"legacy list: {listed}")
    check(listed.get("policies") == listed["data"]["policies"], f"legacy list at the top level too: {sorted(listed)}")
    check(listed["data"].get("keys") == listed["data"]["policies"], f"legacy list has keys too: {listed['data']}")
    sysb.create_or_update_policy(name="legacy-dict", policy={"path": {"kv1/x": {"capabilities": ["read"]}}})
    check("kv1/x" in sysb.read_policy(name="legacy-dict")["data"]["rules"], "a dict policy is sent as JSON")
    sysb.delete_policy(name="legacy-dict")

    # Bad policies name the line and column.
    bad = 'path "secret/*" {\n  capabilities = ["read"\n}\n'
    expect_error(exceptions.InvalidRequest, "failed to parse policy: At 3:1:", sysb.create_or_update_acl_policy,
                 name="bad", policy=bad)
    expect_error(exceptions.InvalidRequest, "failed to parse policy: At 3:1:", sysb.create_or_update_policy,
                 name="bad", policy=bad)
    expect_error(exceptions.InvalidRequest, 'invalid capability "reed"', sysb.create_or_update_acl_policy,
                 name="bad", policy='path "a" { capabilities = ["reed"] }')
    expect_error(exceptions.InvalidRequest, "'policy' parameter not supplied or empty",
                 sysb.create_or_update_acl_policy, name="bad", policy="")
    expect_error(exceptions.InvalidPath, "", sysb.read_acl_policy, name="bad")
    expect_error(exceptions.InvalidRequest, 'cannot delete "root" policy', sysb.delete_acl_policy, name="root")
    expect_error(exceptions.InvalidRequest, "cannot delete default policy", sysb.delete_acl_policy, name="default")
    expect_error(exceptions.InvalidRequest, 'cannot update "root" policy', sysb.create_or_update_acl_policy,
                 name="root", policy=LEGACY)

    # A token with the policy is allowed and denied accordingly.
    client.secrets.kv.v2.create_or_update_secret(path="app/cfg", secret={"k": "v"})
    client.secrets.kv.v2.create_or_update_secret(path="other/cfg", secret={"k": "v"})
    created = client.auth.token.create(policies=["app-reader"], ttl="1h")
    token, accessor = created["auth"]["client_token"], created["auth"]["accessor"]
    check(created["auth"]["policies"] == ["app-reader", "default"], f"policies: {created['auth']}")
    reader = client_for(url, token)
    kv = reader.secrets.kv.v2
    check(kv.read_secret_version(path="app/cfg", raise_on_deleted_version=True)["data"]["data"] == {"k": "v"},
          "the reader reads app/")
    check(kv.list_secrets(path="app")["data"]["keys"] == ["cfg", "db", "meta-only", "new"], "the reader lists app/")
    expect_error(exceptions.Forbidden, "permission denied", kv.read_secret_version, path="other/cfg",
                 raise_on_deleted_version=True)
    expect_error(exceptions.Forbidden, "permission denied", kv.create_or_update_secret, path="app/cfg",
                 secret={"k": "w"})
    expect_error(exceptions.Forbidden, "permission denied", kv.delete_latest_version_of_secret, path="app/cfg")
    expect_error(exceptions.Forbidden, "permission denied", kv.list_secrets, path="")
    expect_error(exceptions.Forbidden, "permission denied", reader.sys.list_mounted_secrets_engines)
    expect_error(exceptions.Forbidden, "permission denied", reader.sys.create_or_update_acl_policy,
                 name="mine", policy=LEGACY)
    expect_error(exceptions.Forbidden, "permission denied", reader.auth.token.create, policies=["app-reader"])

    # create versus update: a write to a new key needs create, to an existing one update.
    sysb.create_or_update_acl_policy(name="creator", policy='path "secret/data/c/*" { capabilities = ["create"] }')
    sysb.create_or_update_acl_policy(name="updater", policy='path "secret/data/c/*" { capabilities = ["update"] }')
    creator = client_for(url, client.auth.token.create(policies=["creator"])["auth"]["client_token"])
    updater = client_for(url, client.auth.token.create(policies=["updater"])["auth"]["client_token"])
    check(creator.secrets.kv.v2.create_or_update_secret(path="c/new", secret={"a": "1"})["data"]["version"] == 1,
          "create writes a new key")
    expect_error(exceptions.Forbidden, "permission denied", creator.secrets.kv.v2.create_or_update_secret,
                 path="c/new", secret={"a": "2"})
    expect_error(exceptions.Forbidden, "permission denied", updater.secrets.kv.v2.create_or_update_secret,
                 path="c/other", secret={"a": "1"})
    check(updater.secrets.kv.v2.create_or_update_secret(path="c/new", secret={"a": "2"})["data"]["version"] == 2,
          "update overwrites an existing key")
    sysb.delete_acl_policy(name="creator")
    sysb.delete_acl_policy(name="updater")

    # Capabilities: of a token, of the caller, of an accessor.
    caps = client.sys.get_capabilities(paths=["secret/data/app/cfg"], token=token)
    check(caps["data"]["capabilities"] == ["read"] and caps["data"]["secret/data/app/cfg"] == ["read"],
          f"capabilities: {caps['data']}")
    check(caps.get("capabilities") == ["read"], f"capabilities are copied to the top level: {sorted(caps)}")
    caps = client.sys.get_capabilities(paths=["secret/data/app/cfg", "secret/data/other/cfg"], token=token)
    check(caps["data"] == {"secret/data/app/cfg": ["read"], "secret/data/other/cfg": ["deny"]},
          f"two paths, no 'capabilities' key: {caps['data']}")
    caps = reader.sys.get_capabilities(paths=["secret/metadata/app/x", "secret/data/app/x"])
    check(caps["data"]["secret/metadata/app/x"] == ["list"] and caps["data"]["secret/data/app/x"] == ["read"],
          f"capabilities-self: {caps['data']}")
    caps = reader.adapter.post("/v1/sys/capabilities-self", json={"paths": ["sys/mounts"]})
    check(caps["data"]["capabilities"] == ["deny"], f"capabilities-self via the adapter: {caps['data']}")
    caps = client.sys.get_capabilities(paths=["secret/data/app/cfg"], accessor=accessor)
    check(caps["data"]["capabilities"] == ["read"], f"capabilities-accessor: {caps['data']}")
    caps = client.sys.get_capabilities(paths=["anything"])
    check(caps["data"]["capabilities"] == ["root"], f"root's capabilities: {caps['data']}")
    expect_error(exceptions.InvalidRequest, "paths must be supplied", client.sys.get_capabilities, paths=[])

    # Policy changes apply at once to existing tokens.
    sysb.create_or_update_acl_policy(name="app-reader", policy=READER + 'path "secret/data/other/*" { capabilities = ["read"] }\n')
    check(sysb.read_acl_policy(name="app-reader")["data"]["version"] == 2, "rewrite bumps the version")
    check(kv.read_secret_version(path="other/cfg", raise_on_deleted_version=True)["data"]["data"] == {"k": "v"},
          "the widened policy applies at once")
    check(status(sysb.delete_acl_policy(name="app-reader")) == 204, "acl delete answers 204")
    check(status(sysb.delete_acl_policy(name="app-reader")) == 204, "deleting a missing policy is 204")
    expect_error(exceptions.InvalidPath, "", sysb.read_acl_policy, name="app-reader")
    expect_error(exceptions.Forbidden, "permission denied", kv.read_secret_version, path="app/cfg",
                 raise_on_deleted_version=True)
    check(reader.is_authenticated(), "the token still looks itself up through default")
    check(status(sysb.delete_policy(name="legacy")) == 204, "legacy delete answers 204")
    check("legacy" not in sysb.list_policies()["data"]["policies"], "legacy policy gone")


# ----------------------------------------------------------------------------------------------
# Tokens


def tokens(client, url):
    SECTION[0] = "tokens"
    tok = client.auth.token

    # Root's own token, as External Secrets Operator and `bao login` read it.
    root = tok.lookup_self()["data"]
    check(root["id"] == "root" and root["policies"] == ["root"] and root["type"] == "service",
          f"root lookup-self: {root}")
    check(isinstance(root["ttl"], int) and root["ttl"] == 0, f"root ttl is the int 0: {root}")
    check("expire_time" in root and root["expire_time"] is None, f"root expire_time is null: {root}")
    check(root["creation_ttl"] == 0 and root["explicit_max_ttl"] == 0 and root["renewable"] is False,
          f"root lookup-self: {root}")
    check(root["num_uses"] == 0 and root["orphan"] is True and root["meta"] is None, f"root lookup-self: {root}")
    check(root["display_name"] == "token" and root["path"] == "auth/token/create",
          f"dev mode's chosen root token is made through auth/token/create: {root}")
    check(isinstance(root["accessor"], str) and root["accessor"], f"root has an accessor: {root}")

    before = datetime.datetime.now(datetime.timezone.utc)
    created = tok.create(policies=["token-maker"], ttl="1h", renewable=True, meta={"team": "x"}, num_uses=0)
    auth = created["auth"]
    check(created["data"] is None and created["lease_duration"] == 0, f"create puts its answer in auth: {created}")
    check(auth["client_token"].startswith("s.") and len(auth["client_token"]) == 26, f"service token form: {auth}")
    check(auth["policies"] == ["default", "token-maker"] and auth["token_policies"] == ["default", "token-maker"],
          f"create policies: {auth}")
    check(auth["metadata"] == {"team": "x"} and auth["lease_duration"] == 3600 and auth["renewable"] is True,
          f"create auth: {auth}")
    check(auth["token_type"] == "service" and auth["orphan"] is False and auth["entity_id"] == "" and
          auth["num_uses"] == 0, f"create auth: {auth}")
    check(isinstance(auth["accessor"], str) and len(auth["accessor"]) == 24, f"accessor form: {auth}")
    token, accessor = auth["client_token"], auth["accessor"]

    me = client_for(url, token)
    check(me.is_authenticated(), "the new token authenticates")
    self_data = me.auth.token.lookup_self()["data"]
    check(self_data["type"] == "service", f"ESO needs data.type: {self_data}")
    check(isinstance(self_data["ttl"], int) and 3590 <= self_data["ttl"] <= 3600, f"ESO needs an int ttl: {self_data}")
    check("expire_time" in self_data, f"ESO needs the expire_time key: {self_data}")
    expires = parse_time(self_data["expire_time"])
    check(abs((expires - before).total_seconds() - 3600) < 30, f"expire_time is an hour away: {self_data}")
    check(self_data["id"] == token and self_data["accessor"] == accessor, f"id and accessor: {self_data}")
    check(self_data["policies"] == ["default", "token-maker"] and self_data["renewable"] is True, f"{self_data}")
    check(self_data["creation_ttl"] == 3600 and self_data["explicit_max_ttl"] == 0, f"ttls: {self_data}")
    check(self_data["display_name"] == "token-token" and self_data["meta"] == {"team": "x"}, f"{self_data}")
    check(self_data["path"] == "auth/token/create" and self_data["orphan"] is False, f"{self_data}")
    check(self_data["num_uses"] == 0 and self_data["entity_id"] == "", f"{self_data}")
    check(isinstance(self_data["creation_time"], int), f"creation_time is unix seconds: {self_data}")
    parse_time(self_data.get("issue_time"))

    looked = tok.lookup(token)["data"]
    check(looked["id"] == token and looked["accessor"] == accessor, f"lookup: {looked}")
    by_accessor = tok.lookup_accessor(accessor)["data"]
    check(by_accessor["id"] == "" and by_accessor["accessor"] == accessor, f"lookup-accessor hides id: {by_accessor}")
    check(by_accessor["policies"] == looked["policies"] and by_accessor["ttl"] <= looked["ttl"],
          f"lookup-accessor otherwise equals lookup: {by_accessor}")
    expect_error(exceptions.Forbidden, "bad token", tok.lookup, "s.doesnotexistdoesnotexist")

    renewed = me.auth.token.renew_self()
    check(renewed["data"] is None and renewed["auth"]["client_token"] == token, f"renew-self answers auth: {renewed}")
    check(isinstance(renewed["auth"]["lease_duration"], int) and 3590 <= renewed["auth"]["lease_duration"] <= 3600,
          f"renew-self keeps the creation TTL: {renewed['auth']}")
    renewed = me.auth.token.renew_self(increment="30m")
    check(renewed["auth"]["lease_duration"] == 1800, f"renew-self with increment: {renewed['auth']}")
    renewed = tok.renew(token, increment=600)
    check(renewed["auth"]["lease_duration"] == 600 and renewed["auth"]["client_token"] == token,
          f"renew: {renewed['auth']}")
    check(me.auth.token.lookup_self()["data"]["ttl"] <= 600, "renew shortened the ttl")
    renewed = tok.renew_accessor(accessor, increment=900)
    check(renewed["auth"]["lease_duration"] == 900 and renewed["auth"]["client_token"] == "",
          f"renew-accessor hides the token: {renewed['auth']}")
    expect_error(exceptions.InvalidRequest, "lease is not renewable", tok.renew_self)

    # TTL caps and periodic tokens.
    capped = tok.create(policies=["default"], ttl="1h", explicit_max_ttl="2h")["auth"]
    check(capped["lease_duration"] == 3600, f"ttl under explicit max: {capped}")
    check(tok.lookup(capped["client_token"])["data"]["explicit_max_ttl"] == 7200, "explicit_max_ttl in lookup")
    renewed = tok.renew(capped["client_token"], increment="5h")
    check(7190 <= renewed["auth"]["lease_duration"] <= 7200, f"renew is capped at explicit max: {renewed['auth']}")
    check(any("exceeded the effective max_ttl" in w for w in renewed.get("warnings") or []),
          f"the cap is warned about: {renewed.get('warnings')}")
    periodic = tok.create(policies=["default"], period="30m")["auth"]
    check(periodic["lease_duration"] == 1800 and periodic["renewable"] is True, f"periodic: {periodic}")
    check(tok.lookup(periodic["client_token"])["data"].get("period") == 1800, "period in lookup")
    custom = tok.create(id="my-custom-token", policies=["default"])
    check(custom["auth"]["client_token"] == "my-custom-token", f"custom id: {custom['auth']}")
    expect_error(exceptions.InvalidRequest, "cannot create a token with a duplicate ID", tok.create,
                 id="my-custom-token", policies=["default"])
    expect_error(exceptions.InvalidRequest, "custom token ID cannot have the 's.' prefix", tok.create,
                 id="s.abc", policies=["default"])
    unparented = tok.create(policies=["default"], no_parent=True)["auth"]
    check(unparented["orphan"] is True, f"no_parent by root makes an orphan: {unparented}")
    nodefault = tok.create(policies=["token-maker"], no_default_policy=True)["auth"]
    check(nodefault["policies"] == ["token-maker"], f"no_default_policy: {nodefault}")
    rootchild = tok.create()["auth"]
    check(rootchild["policies"] == ["root"] and rootchild["lease_duration"] == 0 and rootchild["renewable"] is False,
          f"root's child without policies is a root token: {rootchild}")

    # Use counts: the last use succeeds, the next is refused.
    once = tok.create(policies=["default"], num_uses=2)["auth"]["client_token"]
    used = client_for(url, once)
    check(used.auth.token.lookup_self()["data"]["num_uses"] == 1, "first use")
    check(used.auth.token.lookup_self()["data"]["num_uses"] == -1, "the last use shows -1")
    check(not used.is_authenticated(), "a used-up token is refused")

    # Children: a token-maker creates a child; revoking the parent revokes the child.
    child = me.auth.token.create(policies=["default"], ttl="10m")["auth"]
    check(child["policies"] == ["default"] and child["orphan"] is False, f"child: {child}")
    expect_error(exceptions.InvalidRequest, "child policies must be subset of parent", me.auth.token.create,
                 policies=["root"])
    kid = client_for(url, child["client_token"])
    check(kid.is_authenticated(), "the child authenticates")

    limited = tok.create(policies=["default"], num_uses=3)["auth"]
    check(limited["num_uses"] == 3, f"num_uses: {limited}")
    check(client_for(url, limited["client_token"]).auth.token.lookup_self()["data"]["num_uses"] == 2,
          "lookup-self spends a use")

    orphan = tok.create_orphan(policies=["default"], ttl="10m")["auth"]
    check(orphan["orphan"] is True, f"create-orphan: {orphan}")
    check(tok.lookup(orphan["client_token"])["data"]["path"] == "auth/token/create-orphan", "orphan path")
    check(tok.lookup(orphan["client_token"])["data"]["orphan"] is True, "orphan lookup")

    listed = tok.list_accessors()["data"]["keys"]
    check({accessor, child["accessor"], orphan["accessor"], root["accessor"]} <= set(listed),
          f"accessors lists every service token: {listed}")

    check(status(tok.revoke(token)) == 204, "revoke answers 204")
    check(not me.is_authenticated(), "a revoked token is not authenticated at once")
    check(not kid.is_authenticated(), "revoking a parent revokes its children")
    expect_error(exceptions.Forbidden, "bad token", tok.lookup, token)
    expect_error(exceptions.Forbidden, "permission denied", me.auth.token.lookup_self)
    check(status(tok.revoke(token)) == 204, "revoking again is 204")

    check(status(tok.revoke_accessor(orphan["accessor"])) == 204, "revoke-accessor answers 204")
    check(not client_for(url, orphan["client_token"]).is_authenticated(), "revoked by accessor")
    expect_error(exceptions.InvalidRequest, "invalid accessor", tok.lookup_accessor, orphan["accessor"])
    unknown = tok.revoke_accessor(orphan["accessor"])
    check(status(unknown) == 200 and unknown["warnings"] == ["No token found with this accessor"],
          f"revoking an unknown accessor warns: {unknown}")

    # Roles.
    check(status(tok.create_or_update_role("app", allowed_policies=["token-maker"], orphan=False, renewable=True,
                                           token_explicit_max_ttl="2h")) == 204, "role write answers 204")
    role = tok.read_role("app")["data"]
    check(role["name"] == "app" and role["allowed_policies"] == ["token-maker"], f"role: {role}")
    check(role["orphan"] is False and role["renewable"] is True and role["token_type"] == "default-service",
          f"role: {role}")
    check(role["token_explicit_max_ttl"] == 7200 and role["path_suffix"] == "", f"role: {role}")
    check(role["explicit_max_ttl"] == 0 and role["period"] == 0 and "bound_cidrs" not in role,
          f"the deprecated fields show only what was written under their names: {role}")
    tok.create_or_update_role("legacy-role", orphan=False, renewable=True)
    client.adapter.post("/v1/auth/token/roles/legacy-role", json={"period": "1h", "bound_cidrs": ["127.0.0.1"]})
    legacy_role = tok.read_role("legacy-role")["data"]
    check(legacy_role["period"] == 3600 and legacy_role["token_period"] == 3600, f"deprecated period: {legacy_role}")
    check(legacy_role.get("bound_cidrs") == ["127.0.0.1"] and legacy_role.get("token_bound_cidrs") == ["127.0.0.1"],
          f"deprecated bound_cidrs: {legacy_role}")
    tok.delete_role("legacy-role")
    check(tok.list_roles()["data"]["keys"] == ["app"], "list roles")
    from_role = tok.create(role_name="app")["auth"]
    check(from_role["policies"] == ["default", "token-maker"], f"role token policies: {from_role}")
    looked = tok.lookup(from_role["client_token"])["data"]
    check(looked["role"] == "app" and looked["path"] == "auth/token/create/app", f"role token lookup: {looked}")
    expect_error(exceptions.InvalidRequest, "unknown role nope", tok.create, role_name="nope")
    check(status(tok.delete_role("app")) == 204, "role delete answers 204")
    expect_error(exceptions.InvalidPath, "", tok.read_role, "app")
    expect_error(exceptions.InvalidPath, "", tok.list_roles)

    tidy = tok.tidy()
    check(status(tidy) == 202, f"tidy answers 202: {tidy}")
    check(any("Tidy operation successfully started" in w for w in (tidy.json().get("warnings") or [])),
          f"tidy warns it started: {tidy.text}")

    # A token revoking itself.
    last = tok.create(policies=["default"])["auth"]["client_token"]
    mine = client_for(url, last)
    check(status(mine.auth.token.revoke_self()) == 204, "revoke-self answers 204")
    check(not mine.is_authenticated(), "revoke-self takes effect at once")


# ----------------------------------------------------------------------------------------------
# Mounts


def mounts(client):
    SECTION[0] = "mounts"
    sysb = client.sys
    listed = sysb.list_mounted_secrets_engines()
    data = listed["data"]
    check({"secret/", "sys/", "cubbyhole/", "kv1/"} <= set(data), f"mounts: {sorted(data)}")
    check(listed.get("secret/") == data["secret/"], f"mounts are copied to the top level: {sorted(listed)}")
    secret = data["secret/"]
    check(secret["type"] == "kv" and secret["options"] == {"version": "2"}, f"secret/ is KV v2: {secret}")
    check(re.fullmatch(r"kv_[0-9a-f]{8}", secret["accessor"]) is not None, f"accessor form: {secret}")
    check(secret["config"]["default_lease_ttl"] == 0 and secret["config"]["max_lease_ttl"] == 0,
          f"raw stored TTLs: {secret['config']}")
    check(data["cubbyhole/"]["type"] == "cubbyhole" and data["cubbyhole/"]["local"] is True, f"{data['cubbyhole/']}")
    check(data["sys/"]["type"] == "system", f"{data['sys/']}")
    check(data["kv1/"]["options"] == {"version": "1"}, f"{data['kv1/']}")

    check(status(sysb.enable_secrets_engine("kv", path="hvkv", options={"version": "2"}, description="d")) == 204,
          "enable answers 204")
    entry = sysb.list_mounted_secrets_engines()["data"]["hvkv/"]
    check(entry["type"] == "kv" and entry["description"] == "d" and entry["options"] == {"version": "2"},
          f"new mount: {entry}")
    expect_error(exceptions.InvalidRequest, "path is already in use at hvkv/", sysb.enable_secrets_engine, "kv",
                 path="hvkv")
    expect_error(exceptions.InvalidRequest, "path is already in use at hvkv/", sysb.enable_secrets_engine, "kv",
                 path="hvkv/sub")
    expect_error(exceptions.InvalidRequest, "plugin not found in the catalog: nonexistent",
                 sysb.enable_secrets_engine, "nonexistent", path="nx")
    expect_error(exceptions.InvalidRequest, 'cannot mount "sys/"', sysb.enable_secrets_engine, "kv", path="sys")

    tune = sysb.read_mount_configuration("hvkv")
    check(tune["data"]["default_lease_ttl"] == SYSTEM_TTL and tune["data"]["max_lease_ttl"] == SYSTEM_TTL,
          f"tune shows effective TTLs: {tune['data']}")
    check(tune["data"]["force_no_cache"] is False and tune["data"]["description"] == "d", f"tune: {tune['data']}")
    check(tune.get("default_lease_ttl") == SYSTEM_TTL, f"tune copies data to the top level: {sorted(tune)}")
    check(status(sysb.tune_mount_configuration("hvkv", default_lease_ttl="1h", max_lease_ttl="2h",
                                               description="tuned")) == 204, "tune answers 204")
    tune = sysb.read_mount_configuration("hvkv")["data"]
    check(tune["default_lease_ttl"] == 3600 and tune["max_lease_ttl"] == 7200 and tune["description"] == "tuned",
          f"tuned: {tune}")
    one = client.adapter.get("/v1/sys/mounts/hvkv")
    check(one["data"]["config"]["default_lease_ttl"] == 3600 and one["data"]["description"] == "tuned",
          f"sys/mounts/<path>: {one['data']}")
    expect_error(exceptions.InvalidRequest, "backend max lease TTL of 7200 would be less than backend default lease TTL of 10800",
                 sysb.tune_mount_configuration, "hvkv", default_lease_ttl="3h")
    expect_error(exceptions.InvalidRequest, "No secret engine mount at nonexist/", client.adapter.get,
                 "/v1/sys/mounts/nonexist")

    client.secrets.kv.v2.create_or_update_secret(path="moved", secret={"m": "1"}, mount_point="hvkv")
    moved = sysb.move_backend("hvkv", "hvkv2")
    check(status(moved) in (200, 204), f"remount: {moved}")
    if isinstance(moved, dict):
        check(isinstance(moved["data"].get("migration_id"), str), f"remount answers a migration id: {moved}")
        check(moved.get("migration_id") == moved["data"]["migration_id"], f"copied to the top level: {moved}")
        mstatus = client.adapter.get(f"/v1/sys/remount/status/{moved['data']['migration_id']}")
        check(mstatus["data"]["migration_info"]["status"] == "success", f"remount status: {mstatus['data']}")
    check(client.secrets.kv.v2.read_secret_version(path="moved", mount_point="hvkv2", raise_on_deleted_version=True)
          ["data"]["data"] == {"m": "1"}, "data moved with the mount")
    mounted = sysb.list_mounted_secrets_engines()["data"]
    check("hvkv/" not in mounted and mounted["hvkv2/"]["description"] == "tuned", f"moved mount: {sorted(mounted)}")
    expect_error(exceptions.InvalidPath, "no handler for route", client.secrets.kv.v2.read_secret_version,
                 path="moved", mount_point="hvkv", raise_on_deleted_version=True)

    check(status(sysb.disable_secrets_engine("hvkv2")) == 204, "disable answers 204")
    check("hvkv2/" not in sysb.list_mounted_secrets_engines()["data"], "disabled mount gone")
    check(status(sysb.disable_secrets_engine("hvkv2")) == 204, "disabling a missing mount is 204")
    sysb.enable_secrets_engine("kv", path="hvkv2", options={"version": "2"})
    expect_error(exceptions.InvalidPath, "", client.secrets.kv.v2.read_secret_version, path="moved",
                 mount_point="hvkv2", raise_on_deleted_version=True)  # a new mount starts empty
    sysb.disable_secrets_engine("hvkv2")


# ----------------------------------------------------------------------------------------------
# Auth methods, userpass, lockout


def userpass(client, url):
    SECTION[0] = "userpass"
    sysb = client.sys
    check(status(sysb.enable_auth_method("userpass")) == 204, "enable userpass answers 204")
    expect_error(exceptions.InvalidRequest, "path is already in use at userpass/", sysb.enable_auth_method,
                 "userpass")
    methods = sysb.list_auth_methods()
    check({"token/", "userpass/"} <= set(methods["data"]), f"auth methods: {sorted(methods['data'])}")
    check(methods.get("userpass/") == methods["data"]["userpass/"], f"copied to the top level: {sorted(methods)}")
    up = methods["data"]["userpass/"]
    check(up["type"] == "userpass" and re.fullmatch(r"auth_userpass_[0-9a-f]{8}", up["accessor"]),
          f"userpass entry: {up}")
    check(methods["data"]["token/"]["type"] == "token", f"token entry: {methods['data']['token/']}")
    check(up["options"] == {} and up["deprecation_status"] == "supported", f"userpass entry: {up}")
    check("deprecation_status" not in methods["data"]["token/"] and methods["data"]["token/"]["options"] is None,
          f"token entry: {methods['data']['token/']}")
    up_accessor = up["accessor"]

    users = client.auth.userpass
    check(status(users.create_or_update_user("alice", password="pw-alice", policies=["token-maker"])) == 204,
          "user write answers 204")
    users.create_or_update_user("bob", password="pw-bob", token_policies=["default"], token_ttl="30m")
    alice = users.read_user("alice")["data"]
    check(alice["token_policies"] == ["token-maker"] and alice.get("policies") == ["token-maker"],
          f"legacy policies are kept in both fields: {alice}")
    check("password" not in alice and "password_hash" not in alice, f"no password comes back: {alice}")
    check(users.list_user()["data"]["keys"] == ["alice", "bob"], "list users")
    bob_user = users.read_user("bob")["data"]
    check(bob_user == {"token_bound_cidrs": [], "token_explicit_max_ttl": 0, "token_max_ttl": 0,
                       "token_no_default_policy": False, "token_num_uses": 0, "token_period": 0,
                       "token_policies": ["default"], "token_strictly_bind_ip": False, "token_ttl": 1800,
                       "token_type": "default"}, f"user fields: {bob_user}")

    login = users.login("alice", "pw-alice", use_token=False)
    auth = login["auth"]
    check(auth["policies"] == ["default", "token-maker"] and auth["metadata"] == {"username": "alice"},
          f"login auth: {auth}")
    check(auth["lease_duration"] == SYSTEM_TTL and auth["renewable"] is True and auth["orphan"] is True,
          f"login auth: {auth}")
    check(auth["token_type"] == "service", f"login auth: {auth}")
    alice_client = client_for(url, auth["client_token"])
    info = alice_client.auth.token.lookup_self()["data"]
    check(info["display_name"] == "userpass-alice" and info["path"] == "auth/userpass/login/alice",
          f"login token lookup: {info}")
    check(info["meta"] == {"username": "alice"}, f"login token meta: {info}")
    bob = users.login("bob", "pw-bob", use_token=False)["auth"]
    check(bob["lease_duration"] == 1800 and bob["policies"] == ["default"], f"bob's token_ttl: {bob}")

    # hvac's login sets the client's token by default.
    fresh = hvac.Client(url=url)
    fresh.auth.userpass.login("alice", "pw-alice")
    check(fresh.is_authenticated(), "login(use_token=True) sets the token")

    expect_error(exceptions.InvalidRequest, "invalid username or password", users.login, "alice", "wrong",
                 use_token=False)
    expect_error(exceptions.InvalidRequest, "invalid username or password", users.login, "nobody", "x",
                 use_token=False)

    # Lockout: five failures are counted (the one above was the first), then even the right
    # password is refused.
    for _ in range(4):
        expect_error(exceptions.InvalidRequest, "invalid username or password", users.login, "alice", "wrong",
                     use_token=False)
    expect_error(exceptions.Forbidden, "permission denied", users.login, "alice", "pw-alice", use_token=False)
    expect_error(exceptions.Forbidden, "permission denied", users.login, "ALICE", "pw-alice", use_token=False)
    check(users.login("bob", "pw-bob", use_token=False)["auth"]["client_token"], "other users are not locked")
    for _ in range(6):  # unknown users are never locked
        expect_error(exceptions.InvalidRequest, "invalid username or password", users.login, "nobody", "x",
                     use_token=False)

    locked = client.adapter.get("/v1/sys/locked-users")["data"]
    check(locked["total"] == 1, f"one locked user: {locked}")
    ns = locked["by_namespace"]
    check(len(ns) == 1 and ns[0]["namespace_id"] == "root" and ns[0]["counts"] == 1, f"locked users: {locked}")
    check(ns[0]["mount_accessors"] == [{"mount_accessor": up_accessor, "counts": 1, "alias_identifiers": ["alice"]}],
          f"locked users by accessor: {locked}")
    check(status(client.adapter.post(f"/v1/sys/locked-users/{up_accessor}/unlock/alice")) == 204,
          "unlock answers 204")
    check(status(client.adapter.post(f"/v1/sys/locked-users/{up_accessor}/unlock/nobody")) == 204,
          "unlocking someone not locked is 204")
    after = client.adapter.get("/v1/sys/locked-users")["data"]
    check(after["total"] == 0 and after["by_namespace"][0]["mount_accessors"] == [], f"nobody locked: {after}")
    check(users.login("alice", "pw-alice", use_token=False)["auth"]["client_token"], "unlocked alice logs in")

    # Password change, delete.
    users.update_password_on_user("bob", "pw-bob-2")
    expect_error(exceptions.InvalidRequest, "invalid username or password", users.login, "bob", "pw-bob",
                 use_token=False)
    check(users.login("bob", "pw-bob-2", use_token=False)["auth"]["client_token"], "new password works")
    check(status(users.delete_user("bob")) == 204, "delete user answers 204")
    expect_error(exceptions.InvalidPath, "", users.read_user, "bob")

    # Moving an auth method revokes the tokens it issued; users move with it.
    moved_alice = client_for(url, users.login("alice", "pw-alice", use_token=False)["auth"]["client_token"])
    sysb.move_backend("auth/userpass", "auth/userpass2")
    check(not moved_alice.is_authenticated(), "moving an auth method revokes its tokens")
    check(users.login("alice", "pw-alice", use_token=False, mount_point="userpass2")["auth"]["client_token"],
          "users log in at the new path")
    sysb.move_backend("auth/userpass2", "auth/userpass")
    alice_client = client_for(url, users.login("alice", "pw-alice", use_token=False)["auth"]["client_token"])
    check(alice_client.is_authenticated(), "a login after the move works")

    tuning = sysb.read_auth_method_tuning("userpass")["data"]
    check(tuning["default_lease_ttl"] == SYSTEM_TTL and tuning["token_type"] == "default-service",
          f"auth tune: {tuning}")
    check(status(sysb.disable_auth_method("userpass")) == 204, "disable auth answers 204")
    check("userpass/" not in sysb.list_auth_methods()["data"], "userpass gone")
    check(not alice_client.is_authenticated(), "disabling the method revokes its tokens")


# ----------------------------------------------------------------------------------------------
# Internal UI and OpenAPI


def internal(client):
    SECTION[0] = "internal"
    ui = client.adapter.get("/v1/sys/internal/ui/mounts/secret")
    data = ui["data"]
    check(data["type"] == "kv" and data["options"] == {"version": "2"} and data["path"] == "secret/",
          f"ui mounts for secret: {data}")
    check(isinstance(data["options"]["version"], str), "the KV version is a string (the CLI type-asserts it)")
    listing = client.adapter.get("/v1/sys/internal/ui/mounts")["data"]
    check(listing["secret"]["secret/"]["options"] == {"version": "2"} and "token/" in listing["auth"],
          f"ui mounts listing: {sorted(listing['secret'])} {sorted(listing['auth'])}")
    sub = client.adapter.get("/v1/sys/internal/ui/mounts/secret/some/key")["data"]
    check(sub["path"] == "secret/" and sub["options"] == {"version": "2"}, f"longest-prefix match: {sub}")
    token_mount = client.adapter.get("/v1/sys/internal/ui/mounts/auth/token/lookup")["data"]
    check(token_mount["type"] == "token" and token_mount["path"] == "token/", f"auth mounts: {token_mount}")
    expect_error(exceptions.Forbidden, "preflight capability check returned 403", client.adapter.get,
                 "/v1/sys/internal/ui/mounts/nonexist/x")

    spec = client.adapter.get("/v1/sys/internal/specs/openapi")
    check(isinstance(spec, dict) and str(spec.get("openapi", "")).startswith("3."), f"an OpenAPI 3 doc: "
          f"{str(spec)[:200]}")
    paths = spec.get("paths", {})
    check(isinstance(spec.get("info"), dict) and "title" in spec["info"], f"info: {spec.get('info')}")
    kv_paths = [p for p in paths if p.startswith("/secret/")]
    check("/secret/data/{path}" in paths and "/secret/metadata/{path}" in paths and "/secret/config" in paths,
          f"KV v2 paths under /secret/: {kv_paths}")
    check("/auth/token/lookup-self" in paths and "/auth/token/create" in paths and "/auth/token/roles/{role_name}"
          in paths, f"token paths: {[p for p in paths if p.startswith('/auth/token/')][:10]}")
    check("/auth/token/roles" in paths and "/auth/token/accessors" in paths and "/kv1/{path}" in paths,
          f"list paths are named without a trailing slash: {[p for p in paths if p.startswith('/auth/token/')]}")
    check("get" in paths.get("/secret/data/{path}", {}) and "post" in paths.get("/secret/data/{path}", {}),
          f"operations on data: {paths.get('/secret/data/{path}')}")


# ----------------------------------------------------------------------------------------------
# Known gaps: OpenBao behaviour Arcanum does not have yet, checked to fail clearly.


def gaps(client, url):
    SECTION[0] = "known gaps"
    # Batch tokens (OpenBao's `b.` tokens with no accessor) are not issued yet: the request
    # is refused with a 400 that says so, and no token is created.
    expect_error(exceptions.InvalidRequest, "batch tokens", client.auth.token.create,
                 policies=["default"], type="batch", ttl="1h")


def main(url):
    client = hvac.Client(url=url, token="root")
    check(client.is_authenticated(), "the root token authenticates")
    check(not hvac.Client(url=url, token="bogus").is_authenticated(), "a bogus token does not")
    # Without a token (sent raw: hvac would fall back to VAULT_TOKEN or ~/.vault-token).
    bare = requests.get(f"{url}/v1/auth/token/lookup-self", timeout=10)
    check(bare.status_code == 403 and bare.json() == {"errors": ["permission denied"]}, f"no token: {bare.text}")
    for section in (lambda: kv_v2(client), lambda: kv_v1(client), lambda: policies(client, url),
                    lambda: tokens(client, url), lambda: mounts(client), lambda: userpass(client, url),
                    lambda: internal(client), lambda: gaps(client, url)):
        try:
            section()
        except (exceptions.VaultError, KeyError, TypeError, AttributeError) as err:
            # An answer of the wrong kind or shape: name it and where, then stop (a section
            # builds on its own earlier steps, so carrying on would only add noise).
            line = err.__traceback__
            while line.tb_next is not None and line.tb_next.tb_frame.f_code.co_filename == __file__:
                line = line.tb_next
            fail(f"unexpected {type(err).__name__} at line {line.tb_lineno}: {err}")
    if FAILURES:
        sys.exit(f"{len(FAILURES)} failure(s):\n" + "\n".join(FAILURES))
    print("hvac api scenario passed")


if __name__ == "__main__":
    main(sys.argv[1])
