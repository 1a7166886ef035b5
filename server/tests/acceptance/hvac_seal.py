"""The seal lifecycle through hvac, the Python client most Vault tooling uses.

Run by server/tests/hvac_acceptance.rs against a fresh `arcanum` whose listener enables
Vault's unauthenticated rekey and generate-root endpoints (hvac calls those). Exits
non-zero with a message on the first thing that is not as Vault would answer.
"""

import base64
import sys

import hvac
from hvac import exceptions


def check(condition, message):
    if not condition:
        sys.exit(f"FAIL: {message}")


def expect_error(kind, fragment, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except kind as err:
        check(fragment in str(err), f"{call.__name__}: wanted {fragment!r} in {err}")
        return
    sys.exit(f"FAIL: {call.__name__}{args} should have raised {kind.__name__}")


def decode_token(encoded, otp):
    raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    return bytes(a ^ b for a, b in zip(raw, otp.encode())).decode()


def main(url):
    client = hvac.Client(url=url)
    check(not client.sys.is_initialized(), "a fresh server is not initialised")
    check(client.sys.read_health_status(method="GET").status_code == 501, "health says 501 before init")

    expect_error(exceptions.InvalidRequest, "threshold cannot be larger than shares",
                 client.sys.initialize, secret_shares=2, secret_threshold=3)
    result = client.sys.initialize(secret_shares=5, secret_threshold=3)
    keys, root = result["keys"], result["root_token"]
    check(len(keys) == 5 and len(result["keys_base64"]) == 5, "five shares")
    check(client.sys.is_initialized() and client.sys.is_sealed(), "initialised and sealed")
    expect_error(exceptions.InvalidRequest, "already initialized",
                 client.sys.initialize, secret_shares=1, secret_threshold=1)

    expect_error(exceptions.InvalidRequest, "hex or base64", client.sys.submit_unseal_key, "not a key")
    status = client.sys.submit_unseal_key(keys[0])
    check(status["progress"] == 1 and status["sealed"], "one share counted")
    expect_error(exceptions.InvalidRequest, "already provided", client.sys.submit_unseal_key, keys[0])
    status = client.sys.submit_unseal_keys(keys[1:3])
    check(not status["sealed"], f"unsealed by three shares: {status}")
    check(not client.sys.is_sealed(), "is_sealed agrees")

    health = client.sys.read_health_status(method="GET")
    check(health["initialized"] and not health["sealed"], f"health: {health}")
    check(client.sys.read_leader_status()["ha_enabled"] is False, "no HA")

    client.token = root
    term = client.sys.get_encryption_key_status()["data"]["term"]
    client.sys.rotate_encryption_key()
    check(client.sys.get_encryption_key_status()["data"]["term"] == term + 1, "rotation adds a term")

    # Rekey through Vault's unauthenticated API, as hvac does it.
    start = client.sys.start_rekey(secret_shares=3, secret_threshold=2)
    nonce = start["nonce"]
    check(client.sys.read_rekey_progress()["started"], "rekey started")
    final = client.sys.rekey_multi(keys[2:5], nonce=nonce)
    new_keys = final["keys"]
    check(final["complete"] and len(new_keys) == 3, f"rekey complete: {final}")

    # A new root token from a quorum of the new shares.
    started = client.sys.start_root_token_generation()
    otp, nonce = started["otp"], started["nonce"]
    check(len(otp) == 26, "the server made a 26-character OTP")
    for key in new_keys[:2]:
        progress = client.sys.generate_root(key, nonce)
    check(progress["complete"], f"root generation complete: {progress}")
    new_root = decode_token(progress["encoded_token"], otp)
    check(new_root.startswith("s.") and len(new_root) == 26, f"decoded token {new_root!r}")

    client.token = new_root
    client.sys.seal()
    check(client.sys.is_sealed(), "sealed by the new root token")
    expect_error(exceptions.VaultDown, "sealed", client.sys.get_encryption_key_status)

    status = client.sys.submit_unseal_keys(new_keys[1:3])
    check(not status["sealed"], "the new shares unseal")
    check(client.sys.get_encryption_key_status()["data"]["term"] == term + 1, "data survived sealing")
    print("hvac scenario passed")


if __name__ == "__main__":
    main(sys.argv[1])
