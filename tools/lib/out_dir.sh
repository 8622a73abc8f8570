# Output-directory guard for tools/quickstart and tools/recipe (sourced, not run).
#
# The scripts replace their --out directory, so they must never point `rm -rf` at
# something a person cares about: a path is accepted only if it does not exist yet, is an
# empty directory, or holds the `.calico-run` marker an earlier run of these scripts left.

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
  fi
  printf '%s\n' "$dir"
}

# replace_out_dir SCRIPT DIR: checks DIR again (minutes of setup and building have passed
# since), empties it (the directory itself stays, with its owner and mode) and marks it
# as a run's.
replace_out_dir() {
  local dir
  dir="$(check_out_dir "$1" "$2")" || exit 2
  mkdir -p -- "$dir"
  find "$dir" -mindepth 1 -delete
  : > "$dir/.calico-run"
}
