#!/usr/bin/env bash
# Fuzzes sitelint's loaders and the whole check for a while: fuzz/run.sh [TARGET...] [-- SECONDS]
#   fuzz/run.sh                       # every target, 60 seconds each
#   fuzz/run.sh load_yaml -- 600      # one target, ten minutes
# Seeds fuzz/corpus/TARGET from the repository's snapshots and rules (the
# corpus is not committed), builds the targets with libFuzzer's coverage
# instrumentation on stable Rust (no nightly or cargo-fuzz needed; with them,
# `cargo +nightly fuzz run TARGET` does the same plus AddressSanitizer), and
# exits non-zero when a target crashes; the input is in fuzz/artifacts/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=()
seconds=60
while [ $# -gt 0 ]; do
  case "$1" in
    --) seconds="${2:?seconds after --}"; shift 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(load_yaml load_json rule_file check_yaml)

seed() {
  local target="$1" dir="fuzz/corpus/$1"
  mkdir -p "$dir"
  case "$target" in
    load_yaml | check_yaml) find snapshots tests/fixtures/load -name '*.yaml' -o -name '*.yml' ;;
    load_json) find snapshots tests/fixtures/load -name '*.json' ;;
    rule_file) find rules -name '*.yaml' ;;
  esac | while read -r file; do cp "$file" "$dir/$(echo "$file" | tr '/' '_')"; done
}

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-fuzz/target}"
# What cargo-fuzz passes to rustc, minus the sanitizer (nightly only).
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
# With an explicit --target, RUSTFLAGS leave build scripts and proc macros
# uninstrumented (they would not link without libFuzzer).
host="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --locked --release --manifest-path fuzz/Cargo.toml --bins --target "$host"

for target in "${targets[@]}"; do
  seed "$target"
  mkdir -p "fuzz/artifacts/$target"
  echo "== fuzzing $target for ${seconds}s"
  "$CARGO_TARGET_DIR/$host/release/$target" "fuzz/corpus/$target" \
    -artifact_prefix="fuzz/artifacts/$target/" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048
done
