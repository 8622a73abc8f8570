# Output-directory guard for tools/quickstart and tools/recipe (sourced, not run).
#
# The scripts replace their --out directory, so they must never delete something a person
# cares about: a path is accepted only if it does not exist yet, is an empty directory,
# or holds the `.calico-run` marker an earlier run of the same script left (the marker
# names the script; an empty one, from before it did, is taken as either's). Replacing
# deletes only what a run writes there (CALICO_RUN_ENTRIES below); anything else a
# person put beside them stays.

# What a run writes into its --out directory, besides the marker.
CALICO_RUN_ENTRIES=(data run report)

# check_out_dir SCRIPT DIR: prints DIR as an absolute path (resolved from the current
# directory, so call it before any `cd`), or says why DIR is refused and exits 2.
check_out_dir() {
  local script="$1" dir="$2" repo
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
  refuse() { echo "$script: refusing --out='$dir': $1" >&2; exit 2; }
  [[ -n "$dir" ]] || refuse "it is empty"
  dir="$(realpath -m -- "$dir")"
  [[ "$dir" != *,* ]] || refuse "a comma would split it in --datasets"
  [[ "$dir" != / ]] || refuse "it is the root directory"
  [[ "$dir" != "$(realpath -m -- "${HOME:-/}")" ]] || refuse "it is the home directory"
  case "$repo/" in "$dir"/*) refuse "it holds the calico checkout" ;; esac
  case "$dir/" in "$repo"/*) refuse "it is inside the calico checkout" ;; esac
  if [[ -e "$dir" && ! -d "$dir" ]]; then refuse "it is not a directory"; fi
  if [[ -d "$dir" ]]; then
    local listing
    listing="$(ls -A -- "$dir")" || refuse "its contents cannot be listed"
    if [[ -n "$listing" && ! -e "$dir/.calico-run" ]]; then
      refuse "it holds files that no earlier run of this script wrote (no .calico-run marker)"
    fi
    if [[ -e "$dir/.calico-run" ]]; then
      local writer
      writer="$(head -c 200 -- "$dir/.calico-run")" || refuse "its .calico-run marker cannot be read"
      if [[ -n "$writer" && "$writer" != "$script" ]]; then
        refuse "it holds a run of $writer (its .calico-run marker); choose another directory"
      fi
    fi
  fi
  printf '%s\n' "$dir"
}

# replace_out_dir SCRIPT DIR: checks DIR again (minutes of setup and building have passed
# since), marks it as SCRIPT's run, then deletes what an earlier run wrote there (the
# directory itself stays, with its owner and mode, and so does anything else in it). The
# marker comes first, so a deletion cut short by Ctrl-C leaves a directory the next run
# still accepts.
replace_out_dir() {
  local script="$1" dir entry
  dir="$(check_out_dir "$script" "$2")" || exit 2
  mkdir -p -- "$dir"
  printf '%s' "$script" > "$dir/.calico-run"
  for entry in "${CALICO_RUN_ENTRIES[@]}"; do
    rm -rf -- "${dir:?}/$entry"
  done
}
