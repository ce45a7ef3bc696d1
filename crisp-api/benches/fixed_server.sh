# Sourced by callgrind.sh and python_wrapper.sh (from the workspace root): builds the
# release mock and the `wrapper_loop` bench, starts `crisp-mock --fixed` on a free port and
# sets RUST_LOOP (the bench binary), SERVER (its pid, killed on exit) and URL (its base URL).
cargo build -q --release --locked -p crisp-mock
RUST_LOOP=$(cargo bench --locked -p crisp-api --bench wrapper_loop --no-run 2>&1 |
  grep -o 'target/release/deps/wrapper_loop-[0-9a-f]*' | head -1)
[ -x "$RUST_LOOP" ] || { echo "could not build the wrapper_loop bench" >&2; exit 1; }

LOG=$(mktemp)
target/release/crisp-mock --fixed --port 0 >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -f "$LOG"' EXIT
URL=
for _ in $(seq 1 100); do
  URL=$(grep -o 'http://[0-9.:]*/v1' "$LOG" || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "crisp-mock --fixed did not start" >&2; cat "$LOG" >&2; exit 1; }
