#!/usr/bin/env bash
# Opens an evaluation report in headless Chromium (Debian's chromium): the page must load
# from the file alone, show the score chart, the table and the rollout videos, and render
# to a non-trivial screenshot.
set -euo pipefail
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
command -v chromium > /dev/null || { echo "FAIL: chromium is not installed (tools/setup installs it)"; exit 1; }
cat > "$tmp/suite.textproto" <<'SUITE'
name: "chromium"
episodes: 2
tasks { task: "arcade/breakout" }
tasks { task: "mujoco/reacher_easy" }
SUITE
agent/calico eval --suite="$tmp/suite.textproto" --report="$tmp/report" > /dev/null
# --disable-dev-shm-usage: a container's /dev/shm may be 64 MB, too small for a renderer.
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$tmp/profile")
# A chromium that crashes or hangs fails the test with its exit status and its log.
run_chromium() {
  local status=0
  timeout 120 chromium "${flags[@]}" "$@" 2>> "$tmp/chromium.log" || status=$?
  if (( status != 0 )); then
    # To stderr: the caller may have redirected stdout (--dump-dom).
    echo "FAIL: chromium $* exited with status $status (124: timed out after 120 s); its log:" >&2
    tail -n 40 "$tmp/chromium.log" >&2
    exit 1
  fi
}
run_chromium --dump-dom "file://$tmp/report/report.html" > "$tmp/dom.html"
for needle in '<svg id="scores"' 'id="score-table"' 'class="rollout"' 'arcade/breakout' 'IQM'; do
  grep -q -- "$needle" "$tmp/dom.html" || { echo "FAIL: the rendered page lacks $needle"; exit 1; }
done
[[ $(grep -c 'class="bar"' "$tmp/dom.html") -ge 5 ]] || { echo "FAIL: fewer than 5 score bars"; exit 1; }
# A window tall enough for the whole page, videos included.
run_chromium --window-size=1000,4000 --screenshot="$tmp/report.png" "file://$tmp/report/report.html"
size=$(stat -c %s "$tmp/report.png")
[[ $size -gt 20000 ]] || { echo "FAIL: screenshot is only $size bytes"; exit 1; }
# The videos are drawn: the same page with the rollout GIFs' data (the page embeds them
# as data: URIs) taken out renders to other pixels. The DOM checks above pass on the
# static file alone; this one does not.
/usr/bin/python3 - "$tmp/report/report.html" "$tmp/without_videos.html" <<'PY'
import re, sys
page = open(sys.argv[1]).read()
stripped, n = re.subn(r'(<img class="rollout"[^>]*? src=")data:image/gif;base64,[^"]*"', r'\1"', page)
if n < 2:
    sys.exit(f"FAIL: the page embeds {n} rollout GIFs, expected one per task (2)")
open(sys.argv[2], "w").write(stripped)
PY
run_chromium --window-size=1000,4000 --screenshot="$tmp/without_videos.png" "file://$tmp/without_videos.html"
/usr/bin/python3 - "$tmp/report.png" "$tmp/without_videos.png" <<'PY'
import struct, sys, zlib
def pixels(path):
    """The decompressed image data of a PNG (filtered scanlines: equal images, equal bytes)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"FAIL: {path} is not a PNG")
    at, idat, size = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IHDR":
            size = struct.unpack(">II", data[at + 8:at + 16])
        if kind == b"IDAT":
            idat += data[at + 8:at + 8 + length]
        at += 12 + length
    return size, zlib.decompress(idat)
with_videos, without = pixels(sys.argv[1]), pixels(sys.argv[2])
if with_videos == without:
    sys.exit("FAIL: the page looks the same with its videos taken out: the rollout GIFs are not drawn")
PY
echo "report_chromium_test: page rendered ($size-byte screenshot; the videos drawn)"
