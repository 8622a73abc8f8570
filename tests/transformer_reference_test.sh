#!/usr/bin/env bash
# Runs the independent PyTorch implementation (tests/transformer_reference.py, Debian's
# python3-torch, installed by tools/setup) and checks that it still produces the
# committed tests/golden/transformer_golden.bin, which //tests:transformer_golden_test
# compares calico's C++ transformer with: the fixture cannot drift from the reference.
set -euo pipefail
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
if ! /usr/bin/python3 -c "import torch" 2> "$tmp/err"; then
  cat "$tmp/err"
  echo "FAIL: python3-torch is missing (tools/setup installs it)"
  exit 1
fi
/usr/bin/python3 tests/golden/make_transformer_golden.py --out="$tmp/fresh.bin"
/usr/bin/python3 tests/golden/compare_transformer_golden.py tests/golden/transformer_golden.bin "$tmp/fresh.bin"
