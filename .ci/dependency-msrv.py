#!/usr/bin/env python3
"""Every dependency's own `rust-version` is no newer than ours.

CI has one toolchain (the newest stable) and can install no other, so the declared MSRV of a
published crate cannot be proven by building with it. What can be checked is what Cargo
knows: for each published workspace member (crisp-api, crisp-mock), every crate in its
normal and build dependency graph, transitively, on every target and with every feature,
declares a `rust-version` (when it declares one) no newer than the member's own. A newer
one means a user on our declared MSRV cannot build us. (Standard-library items newer than
our MSRV are clippy's `incompatible_msrv` lint, run by .ci/run.)

The graph is Cargo's resolution for the whole workspace (`cargo metadata --all-features`),
so it can hold a little more than one member needs alone: a dependency that only another
member's features pull in is checked too, which errs on the side of caution.

Run from anywhere: `python3 .ci/dependency-msrv.py`. Exits 1 and names each dependency that
is too new, and the member it breaks.
"""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def version(text):
    """`1.88` or `1.88.0` as a comparable tuple (a missing patch is 0)."""
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--all-features"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    packages = {p["id"]: p for p in metadata["packages"]}
    edges = {}
    for node in metadata["resolve"]["nodes"]:
        edges[node["id"]] = [
            dep["pkg"]
            for dep in node["deps"]
            # `kind` is null for a normal dependency; dev-dependencies are not users' concern.
            if any(k["kind"] in (None, "build") for k in dep["dep_kinds"])
        ]
    members = [
        packages[i]
        for i in metadata["workspace_members"]
        if packages[i].get("publish") != [] and packages[i].get("rust_version")
    ]
    if not members:
        print("dependency-msrv: no published member declares a rust-version", file=sys.stderr)
        return 1
    failures = 0
    for member in members:
        ours = member["rust_version"]
        seen = set()
        stack = list(edges.get(member["id"], []))
        newest = ("(none declares one)", "0")
        too_new = []
        while stack:
            dep = stack.pop()
            if dep in seen:
                continue
            seen.add(dep)
            stack.extend(edges.get(dep, []))
            package = packages[dep]
            theirs = package.get("rust_version")
            if not theirs:
                continue
            if version(theirs) > version(newest[1]):
                newest = (f'{package["name"]} {package["version"]}', theirs)
            if version(theirs) > version(ours):
                too_new.append(f'{package["name"]} {package["version"]} needs {theirs}')
        print(
            f'{member["name"]} (rust-version {ours}): {len(seen)} dependencies, '
            f"the newest rust-version among them {newest[1]} ({newest[0]})"
        )
        for line in sorted(too_new):
            print(f'  too new for {member["name"]}: {line}')
        failures += len(too_new)
    if failures:
        print(
            f"dependency-msrv: {failures} dependencies declare a rust-version newer than the "
            "crate that depends on them: raise that crate's rust-version, or hold the "
            "dependency back (`cargo update -p NAME --precise VERSION`)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
