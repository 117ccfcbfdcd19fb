#!/usr/bin/env bash
# The same reproduction as ../tokenizers-rust-build-no-wheel/reproduce-rust-compiler-missing.sh (one copy of the script; the logs here
# are some of its cases: SOURCES.md in this folder says which).
exec bash "$(dirname "$0")/../tokenizers-rust-build-no-wheel/reproduce-rust-compiler-missing.sh" "$@"
