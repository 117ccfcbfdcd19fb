#!/usr/bin/env bash
# The same reproduction as ../pyo3-python-too-new/reproduce-pyo3-python-too-new.sh (one copy of the script; the logs here
# are some of its cases: SOURCES.md in this folder says which).
exec bash "$(dirname "$0")/../pyo3-python-too-new/reproduce-pyo3-python-too-new.sh" "$@"
