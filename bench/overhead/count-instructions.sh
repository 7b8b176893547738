#!/bin/bash
# Instructions per call of a case of micro-n.ts (or per W3 step: case "step"), deterministic under load:
# valgrind cachegrind on node --single-threaded, (Ir(N=10,000) − Ir(N=4,000)) / 6,000.
# Usage: bench/overhead/count-instructions.sh <case>... (from the repo root; needs valgrind)
set -e
root=$(pwd)
tmp=$(mktemp -d)
npx esbuild bench/overhead/micro-n.ts --bundle --platform=node --format=esm --packages=external \
  --outfile="$tmp/m.mjs" --log-level=error
ir() {
  CHAINRULE_NATIVE_PATH="$root/build/Release/chainrule.node" valgrind --tool=cachegrind --cache-sim=no \
    --cachegrind-out-file="$tmp/cg" node --single-threaded "$tmp/m.mjs" "$1" "$2" 2>&1 |
    grep -E "I +refs" | tr -d ',' | awk '{print $NF}'
}
for c in "$@"; do
  a=$(ir "$c" 4000) b=$(ir "$c" 10000)
  echo "$c $(((b - a) / 6000)) instructions/call"
done
rm -rf "$tmp"
