#!/usr/bin/env bash
# Runs every libFuzzer target of a VGI_FUZZ=ON build for a bounded time.
#
#   scripts/run-fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET=20]
#
# Each fuzz_* binary in BUILD_DIR/libs/proto/fuzz runs on a temporary copy of its committed seed
# corpus (libs/proto/fuzz/corpus/<target>; never written to) with libs/proto/fuzz/proto.dict,
# -max_total_time=SECONDS, -rss_limit_mb=2048 and -timeout=10, at most VGI_FUZZ_JOBS (default 2)
# at a time. Prints one line per target: name, executions, result. Exits 1 if any target crashed
# (or broke an invariant, leaked, timed out, ran out of memory); its reproducer is copied to
# fuzz-artifacts/<target>/ (git-ignored; or $VGI_FUZZ_ARTIFACTS) and named in the output with
# the command that replays it and the first lines of the report.
# Everything else lives in a temporary directory that is removed on exit.
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR [SECONDS_PER_TARGET=20]" >&2
  exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
build_dir=$1
seconds=${2:-20}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "SECONDS_PER_TARGET must be a positive integer, got '$seconds'" >&2; exit 2; }
jobs_max=${VGI_FUZZ_JOBS:-2}
[[ $jobs_max =~ ^[1-9][0-9]*$ ]] || { echo "VGI_FUZZ_JOBS must be a positive integer, got '$jobs_max'" >&2; exit 2; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus_root=$repo_root/libs/proto/fuzz/corpus
dict=$repo_root/libs/proto/fuzz/proto.dict
fuzz_bin_dir=$build_dir/libs/proto/fuzz
keep_dir=${VGI_FUZZ_ARTIFACTS:-$repo_root/fuzz-artifacts}

if [[ ! -d $fuzz_bin_dir ]]; then
  echo "no $fuzz_bin_dir: configure BUILD_DIR with -DVGI_FUZZ=ON and build it (see libs/proto/fuzz/README.md)" >&2
  exit 2
fi
fuzz_bin_dir=$(cd "$fuzz_bin_dir" && pwd)

targets=()
while IFS= read -r -d '' bin; do
  targets+=("$(basename "$bin")")
done < <(find "$fuzz_bin_dir" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x -print0 | sort -z)
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "no fuzz_* binaries in $fuzz_bin_dir (build them first)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vgi-fuzz.XXXXXX")
pids=()

cleanup() {
  local pid f
  # The runner subshells we started, and the fuzzers they started (by the pid each recorded).
  for pid in "${pids[@]}"; do
    kill -- "$pid" 2>/dev/null || true
  done
  for f in "$work"/*/pid; do
    [[ -f $f && ! -f ${f%pid}rc ]] || continue
    kill -- "$(cat "$f")" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Sanitizer reports with stacks and symbols; the caller's settings win.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:symbolize=1}

# One target, in the background: writes $work/<target>/{log,rc}.
run_target() {
  local target=$1
  local dir=$work/$target
  mkdir -p "$dir/corpus" "$dir/artifacts"
  if [[ -d $corpus_root/$target ]]; then
    cp -R "$corpus_root/$target/." "$dir/corpus/"
  fi
  local rc=0 extra=()
  [[ -f $dict ]] && extra+=("-dict=$dict")
  "$fuzz_bin_dir/$target" "${extra[@]}" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    "$dir/corpus" >"$dir/log" 2>&1 </dev/null &
  echo "$!" >"$dir/pid"
  wait "$!" || rc=$?
  echo "$rc" >"$dir/rc"
}

# Reaps finished jobs from `pids`.
reap() {
  local alive=() pid
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      alive+=("$pid")
    else
      wait "$pid" 2>/dev/null || true
    fi
  done
  pids=("${alive[@]}")
}

echo "fuzzing ${#targets[@]} targets for ${seconds}s each, $jobs_max at a time (work dir $work)" >&2
for target in "${targets[@]}"; do
  while [[ ${#pids[@]} -ge $jobs_max ]]; do
    wait -n 2>/dev/null || true
    reap
  done
  [[ -d $corpus_root/$target ]] || echo "warning: no seed corpus for $target ($corpus_root/$target)" >&2
  echo "  started $target" >&2
  run_target "$target" &
  pids+=("$!")
done
while [[ ${#pids[@]} -gt 0 ]]; do
  wait -n 2>/dev/null || true
  reap
done

failed=0
printf '%-28s %12s  %s\n' TARGET RUNS RESULT
for target in "${targets[@]}"; do
  dir=$work/$target
  rc=$(cat "$dir/rc" 2>/dev/null || echo "?")
  runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$dir/log" | tail -n 1)
  if [[ -z $runs ]]; then
    runs=$(grep -oE '^#[0-9]+' "$dir/log" | tail -n 1 | tr -d '#' || true)
  fi
  artifacts=()
  while IFS= read -r -d '' f; do
    artifacts+=("$f")
  done < <(find "$dir/artifacts" -type f -print0 | sort -z)

  if [[ $rc == 0 && ${#artifacts[@]} -eq 0 ]]; then
    printf '%-28s %12s  %s\n' "$target" "${runs:-?}" "ok"
    continue
  fi
  failed=1
  mkdir -p "$keep_dir/$target"
  kept=()
  for f in "${artifacts[@]}"; do
    cp -- "$f" "$keep_dir/$target/"
    kept+=("$keep_dir/$target/$(basename "$f")")
  done
  cp -- "$dir/log" "$keep_dir/$target/log.txt"
  kind=$(grep -oE '(deadly signal|ERROR: AddressSanitizer: [a-z-]+|runtime error|ERROR: LeakSanitizer|timeout|out-of-memory|vgi fuzz invariant broken)' "$dir/log" | head -n 1 || true)
  printf '%-28s %12s  %s\n' "$target" "${runs:-?}" "FAILED (exit $rc${kind:+, $kind})"
  for f in "${kept[@]}"; do
    echo "    input:  $f"
    echo "    repro:  $fuzz_bin_dir/$target $f"
  done
  [[ ${#kept[@]} -gt 0 ]] || echo "    (no reproducer written; see the log)"
  echo "    log:    $keep_dir/$target/log.txt"
  # The report's first lines: what broke and the innermost frames.
  grep -E 'runtime error|ERROR:|vgi fuzz invariant|^  [^ ]|^    #[0-3] ' "$dir/log" | head -n 8 | cut -c1-240 |
    sed 's/^/    | /' || true
done
exit "$failed"
