#!/usr/bin/env bash
# Build cost as a user pays it (BENCHMARKS.md, "Build cost"). From the workspace root:
#
#   bash crisp-api/benches/build_cost.sh [RUNS]
#
# 1. A new project depending on this crisp-api (by path) and tokio, built from an empty
#    target directory (`cargo build`, dev profile), for each feature set: the defaults
#    (rustls with aws-lc-rs, reqwest's own), one API group, native-tls (skipped without
#    OpenSSL's headers).
# 2. crisp-api alone from nothing, its dependencies built (`cargo clean -p crisp-api`, then
#    `cargo build -p crisp-api`): default features, i.e. every group and RTM.
# 3. A spec description edited, `cargo xtask regen`, `cargo build -p crisp-api`.
#
# Each is timed by `farm-bench` when it is installed (min/median/max of wall and CPU time and
# the peak memory of the largest process), else by bash's `time` once per run. The crates
# come from the local registry cache (`--offline`): fetch them once first (`cargo fetch`).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
runs=${1:-3}
work=$(mktemp -d /tmp/crisp-build-cost.XXXXXX)
trap 'rm -rf "$work"' EXIT

timed() {
    local name=$1
    shift
    echo "== $name"
    if command -v farm-bench >/dev/null; then
        farm-bench -n "$runs" --warmup 0 --timeout 3600 -- "$@" | sed -n '/median/,$p'
    else
        for _ in $(seq "$runs"); do
            (time "$@" >/dev/null 2>&1) 2>&1 | grep real
        done
    fi
}

project() {
    local name=$1 dependency=$2
    mkdir -p "$work/$name/src"
    cat >"$work/$name/Cargo.toml" <<EOF
[package]
name = "dependent"
version = "0.1.0"
edition = "2021"

[dependencies]
$dependency
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
EOF
    cat >"$work/$name/src/main.rs" <<'EOF'
//! A new user's first program: build a client, read one conversation's state.
#[tokio::main]
async fn main() -> Result<(), crisp_api::Error> {
    let client = crisp_api::Client::builder()
        .credentials("identifier", "key")
        .base_url("http://127.0.0.1:9")
        .build()?;
    let state = client
        .get_conversation_state()
        .website_id("8c842203-7ed8-4e29-a608-7cf78a7d2fcc")
        .session_id("session_1")
        .send()
        .await;
    println!("{:?}", state.map(|s| s.state));
    Ok(())
}
EOF
    (cd "$work/$name" && cargo generate-lockfile --offline -q)
    cat >"$work/$name/build.sh" <<EOF
#!/bin/sh
cd "$work/$name" && rm -rf target && exec cargo build --offline -q
EOF
    chmod +x "$work/$name/build.sh"
    timed "new project, $name" "$work/$name/build.sh"
}

api="crisp-api = { path = \"$root/crisp-api\""
project default "$api }"
project one-group "$api, default-features = false, features = [\"rustls\", \"website-conversation\"] }"
if pkg-config --exists openssl 2>/dev/null; then
    project native-tls "$api, default-features = false, features = [\"native-tls\", \"rtm\", \"all-groups\"] }"
else
    echo "== native-tls skipped (no OpenSSL headers)"
fi

cargo build -q -p crisp-api
cat >"$work/crate-alone.sh" <<EOF
#!/bin/sh
cd "$root" && cargo clean -q -p crisp-api && exec cargo build -q -p crisp-api
EOF
chmod +x "$work/crate-alone.sh"
timed "crisp-api alone (dev, default features)" "$work/crate-alone.sh"

# The edit is toggled, so every run is an edit; the spec is restored at the end.
part=spec/parts/website-conversation.yaml
cp "$part" "$work/part.yaml"
cat >"$work/spec-edit.sh" <<EOF
#!/bin/sh
cd "$root" || exit 1
if grep -q "default 20) (edited)" $part; then
    sed -i "s/default 20) (edited)\./default 20)./" $part
else
    sed -i "0,/default 20)\./s//default 20) (edited)./" $part
fi
cargo xtask regen >/dev/null 2>&1 || exit 2
exec cargo build -q -p crisp-api
EOF
chmod +x "$work/spec-edit.sh"
cargo build -q -p xtask
timed "spec edited, regen, crisp-api rebuilt" "$work/spec-edit.sh"
cp "$work/part.yaml" "$part"
cargo xtask regen >/dev/null
