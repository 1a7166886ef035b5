# Two commands on a fresh machine:
#   make run    set up, build, start a dev server (console, root token and unseal key printed)
#   make test   set up, build once, run every test (unit, HTTP, bao CLI, hvac, Chromium)
#
# Other targets: setup, build, release, bench, lint, fmt, clean.

SHELL := /bin/bash
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
BIN := $(TARGET_DIR)/debug/arcanum
SITE := $(CURDIR)/target/site
DEV_ADDR ?= 127.0.0.1:8200

export ARCANUM_UI_ROOT := $(SITE)

.PHONY: setup build frontend run test test-e2e release bench lint fmt clean

setup:
	@bash scripts/setup.sh

# The console's wasm, JS and CSS (cargo-leptos), then the server (plain cargo; the two
# agree through .cargo/config.toml). `--split` puts each lazy page in its own wasm chunk.
frontend:
	cargo leptos build --split --frontend-only

build: setup frontend
	cargo build -p arcanum

run: build
	@echo "Starting the dev server: console at http://$(DEV_ADDR)/ui/"
	$(BIN) server --dev --dev-listen-address $(DEV_ADDR)

test: setup frontend
	cargo test --workspace
	$(MAKE) --no-print-directory test-e2e

# Console tests in Chromium against the binary `cargo test` just built.
test-e2e:
	cd end2end && ARCANUM_BIN=$(BIN) node --test tests/

release: setup
	cargo leptos build --release --split --frontend-only
	cargo build --release -p arcanum

# Arcanum and OpenBao (dev and raft) side by side on loopback; installs wrk if missing.
bench: release
	@command -v wrk >/dev/null || { sudo=$$( [ $$(id -u) -eq 0 ] || echo sudo ); $$sudo apt-get update -qq && $$sudo apt-get install -y -qq wrk; }
	bash bench/run.sh

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf target/site end2end/screenshots
