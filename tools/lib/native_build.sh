# The bazel flags for a build tuned to this machine's CPU (sourced, not run).
#
# `--config=native` compiles with -march=native, which the compiler expands to this CPU's
# instruction sets. Bazel keys its caches on the command line, not on that expansion, so
# a disk cache filled on another CPU (a VM moved to another host, a home directory shared
# between machines) hands back objects built for that CPU, silently. Measured 2026-12-02:
# the binary an AVX-only host had built (no FMA, no AVX-512) trained the candidate recipe
# config at about 950 tokens/s on an AVX-512 host, where the host's own build trained it
# at about 2,800. The define below names the expansion, so each CPU gets its own objects.

# native_build_flags [SCRIPT]: prints the flags, one per line; if the compiler cannot say
# what -march=native means here, says so (naming SCRIPT) and returns 1.
native_build_flags() {
  local script="${1:-native_build_flags}" compiler="${CC:-gcc}" expansion
  # -v prints the compiler's own command lines, -march=native expanded (GCC's cc1 gets
  # -march=cooperlake and the like); the rest of that output is fixed per machine.
  if ! expansion="$("$compiler" -march=native -E -v - < /dev/null 2>&1 >/dev/null)" || [[ -z "$expansion" ]]; then
    echo "$script: '$compiler -march=native -E -v' failed, so the native build's cache key is unknown" >&2
    return 1
  fi
  echo "--config=native"
  echo "--copt=-DCALICO_NATIVE_CPU_KEY=$(md5sum <<< "$expansion" | cut -c1-16)"
}

# native_bazel_build SCRIPT TARGET...: builds the targets with native_build_flags.
native_bazel_build() {
  local script="$1" flags
  shift
  flags="$(native_build_flags "$script")" || return 1
  local -a flag_list
  mapfile -t flag_list <<< "$flags"
  bazel build "${flag_list[@]}" "$@"
}
