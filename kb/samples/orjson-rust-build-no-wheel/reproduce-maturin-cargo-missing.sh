#!/usr/bin/env bash
# The same reproduction as ../pydantic-core-rust-build-no-wheel/reproduce-maturin-cargo-missing.sh (one copy of the script; the logs here
# are some of its cases: SOURCES.md in this folder says which).
exec bash "$(dirname "$0")/../pydantic-core-rust-build-no-wheel/reproduce-maturin-cargo-missing.sh" "$@"
