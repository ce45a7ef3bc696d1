#!/usr/bin/env bash
# The official Python wrapper (`crisp-api` on PyPI) against the Rust SDK, in the same run,
# against the same local server (`crisp-mock --fixed`).
#
#   bash crisp-api/benches/python_wrapper.sh [N] [ROUNDS]
#
# N calls per round and side (default 300), ROUNDS interleaved rounds (default 5, Python
# and Rust alternating). Prints calls/s per side and the ratio per round and its median,
# for list_conversations (26 KB page) and get_conversation_state (small).
#
# Environment: CRISP_BENCH_VENV (virtualenv, default /tmp/crisp-bench-venv),
# CRISP_PY_WRAPPER_VERSION (default 1.1.23), PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${1:-300}
ROUNDS=${2:-5}
VENV=${CRISP_BENCH_VENV:-/tmp/crisp-bench-venv}
VERSION=${CRISP_PY_WRAPPER_VERSION:-1.1.23}
PYTHON=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check "crisp-api==$VERSION"
echo "python: $("$VENV/bin/python" --version), crisp-api $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("crisp-api"))'), requests $("$VENV/bin/python" -c 'import requests; print(requests.__version__)')"

. crisp-api/benches/fixed_server.sh
HOST=${URL%/v1}
echo "server: $URL (crisp-mock --fixed)"

PY_LOOP=$(mktemp --suffix=.py)
trap 'kill "$SERVER" 2>/dev/null || true; rm -f "$LOG" "$PY_LOOP"' EXIT
cat >"$PY_LOOP" <<'EOF'
import json, sys, time
from crisp_api import Crisp

host, op, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
website = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc"
session = "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881"
client = Crisp()
client.set_rest_host(host)
client.set_rest_base_path("/v1")
client.set_tier("plugin")
client.authenticate("mock-identifier", "mock-key")
if op == "list":
    call = lambda: client.website.list_conversations(website, 1)
    check = lambda r: len(r) == 20
else:
    call = lambda: client.website.get_conversation_state(website, session)
    check = lambda r: r["state"] == "unresolved"
assert check(call())  # warm
started = time.perf_counter()
for _ in range(n):
    result = call()
elapsed = time.perf_counter() - started
assert check(result)
print(json.dumps({"client": "python-wrapper", "op": op, "n": n, "seconds": elapsed}))
EOF

seconds() { sed -n 's/.*"seconds": *\([0-9.e+-]*\).*/\1/p'; }

for op in list small; do
  echo
  echo "== $op: $N calls per side and round"
  ratios=()
  for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then
      py=$("$VENV/bin/python" "$PY_LOOP" "$HOST" "$op" "$N" | seconds)
      rs=$("$RUST_LOOP" --url "$URL" --n "$N" --op "$op" | seconds)
    else
      rs=$("$RUST_LOOP" --url "$URL" --n "$N" --op "$op" | seconds)
      py=$("$VENV/bin/python" "$PY_LOOP" "$HOST" "$op" "$N" | seconds)
    fi
    ratio=$(awk -v p="$py" -v r="$rs" 'BEGIN { printf "%.2f", p / r }')
    ratios+=("$ratio")
    awk -v n="$N" -v p="$py" -v r="$rs" -v x="$ratio" -v k="$round" \
      'BEGIN { printf "round %d: python %7.0f calls/s, rust sdk %7.0f calls/s, sdk/python %6sx\n", k, n / p, n / r, x }'
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  echo "$op: Rust SDK throughput / Python wrapper throughput, median of $ROUNDS rounds: ${median}x (range $(printf '%s\n' "${ratios[@]}" | sort -g | head -1)–$(printf '%s\n' "${ratios[@]}" | sort -g | tail -1))"
done
