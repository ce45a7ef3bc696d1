#!/usr/bin/env bash
# Instructions per call of the SDK and of the hand-written reqwest baseline, counted by
# valgrind's callgrind: a measure that the machine's load does not move. The server
# (`crisp-mock --fixed`) runs in its own process, so only the client is counted.
#
#   bash crisp-api/benches/callgrind.sh [N1] [N2]
#
# Each side runs N1 then N2 calls (default 200 and 1200), one in flight and 64 in flight,
# on tokio's current-thread runtime (a multi-thread one schedules differently from run to
# run, which moves the counts by a few percent);
# per call = (I(N2) - I(N1)) / (N2 - N1), which removes start-up (runtime, TLS roots,
# the connections).
# The profiles stay in $CRISP_CALLGRIND_DIR (default /tmp/crisp-callgrind) for
# `callgrind_annotate`.
set -euo pipefail
cd "$(dirname "$0")/../.."

N1=${1:-200}
N2=${2:-1200}
OUT=${CRISP_CALLGRIND_DIR:-/tmp/crisp-callgrind}
mkdir -p "$OUT"
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

. crisp-api/benches/fixed_server.sh

instructions() { # client op in-flight n
  valgrind --tool=callgrind --callgrind-out-file="$OUT/$1.$2.$3.$4.out" \
    "$RUST_LOOP" --url "$URL" --client "$1" --op "$2" --in-flight "$3" --n "$4" --current-thread 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '| %-42s | %14s | %18s | %9s |\n' "call" "sdk instr/call" "reqwest instr/call" "sdk/base"
printf '|%s|%s|%s|%s|\n' "--------------------------------------------" "----------------" "--------------------" "-----------"
for in_flight in 1 64; do
  for op in list small; do
    declare -A per
    for client in sdk reqwest; do
      a=$(instructions "$client" "$op" "$in_flight" "$N1")
      b=$(instructions "$client" "$op" "$in_flight" "$N2")
      per[$client]=$(( (b - a) / (N2 - N1) ))
    done
    name=$([ "$op" = list ] && echo "list_conversations (26 KB)" || echo "get_conversation_state (small)")
    name="$name, $in_flight in flight"
    # Throughput ratio if time were proportional to instructions: baseline / sdk.
    printf '| %-42s | %14d | %18d | %9s |\n' "$name" "${per[sdk]}" "${per[reqwest]}" \
      "$(awk -v s="${per[sdk]}" -v r="${per[reqwest]}" 'BEGIN { printf "%.3f", r / s }')"
    unset per
  done
done
echo "(sdk/base = reqwest instructions / SDK instructions: > 1 means the SDK does less work;"
echo " profiles in $OUT, e.g. callgrind_annotate $OUT/sdk.small.1.$N2.out)"
