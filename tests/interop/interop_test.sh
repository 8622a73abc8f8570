#!/usr/bin/env bash
# calico writes a dataset; an independent Python TFRecord reader reads and checks it.
set -euo pipefail
dir="${TEST_TMPDIR:-$(mktemp -d)}/interop_dataset"
tests/interop/write_dataset "$dir"
PYTHONPATH="$PWD/tests/interop" /usr/bin/python3 tests/interop/read_shard.py "$dir"
