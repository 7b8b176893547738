#!/bin/bash
# Instructions per call of a case of micro-n.ts (or per W3 step: case "step"), deterministic under load:
# valgrind cachegrind on node --single-threaded, (Ir(N1) − Ir(N0)) / (N1 − N0), N0 = 4,000 and N1 = 10,000 unless set.
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
n0=${N0:-4000} n1=${N1:-10000} # cheap cases need more calls to reach steady state: N0=40000 N1=100000
for c in "$@"; do
  a=$(ir "$c" "$n0") b=$(ir "$c" "$n1")
  echo "$c $(((b - a) / (n1 - n0))) instructions/call"
done
rm -rf "$tmp"
