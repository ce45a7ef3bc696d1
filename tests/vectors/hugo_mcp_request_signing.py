#!/usr/bin/env python3
"""Test vectors for the requests Crisp's Hugo signs (calls to a user's MCP server).

Crisp's guide "Hugo MCP API: request signing": the `X-Crisp-Signature` header is
`sha256=` and the lowercase hex of HMAC-SHA256(secret, "{timestamp}.{website_id}.{body}"),
where `timestamp` is the `X-Crisp-Timestamp` header (Unix seconds), `website_id` the
`X-Crisp-Website-Id` header and `body` the raw request body.

Computed here with Python's own `hmac` and `hashlib`, outside the Rust code under test.
Regenerate with:

    python3 tests/vectors/hugo_mcp_request_signing.py > tests/vectors/hugo_mcp_request_signing.json

`tests/wire/tests/hugo_mcp_signature_vectors.rs` checks the Rust signer and verifier
against the file.
"""

import base64
import hashlib
import hmac
import json

WEBSITE = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc"

CASES = [
    # (what, secret, timestamp, website id, body bytes)
    (
        "an MCP tools/call request",
        "mcp_sec_4b1d0c2e9f8a7b6c5d4e3f2a1b0c9d8e",
        "1774900000",
        WEBSITE,
        b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"lookup_order","arguments":{"order_id":"A-1042"}}}',
    ),
    (
        "an empty body (a connection check)",
        "mcp_sec_4b1d0c2e9f8a7b6c5d4e3f2a1b0c9d8e",
        "1774900001",
        WEBSITE,
        b"",
    ),
    (
        "a body with non-ASCII text, signed as its UTF-8 bytes",
        "mcp_sec_4b1d0c2e9f8a7b6c5d4e3f2a1b0c9d8e",
        "1774900002",
        WEBSITE,
        '{"text":"Bonjour, où est ma commande ? 🚚"}'.encode("utf-8"),
    ),
    (
        "bytes that are not UTF-8 and a dot-separated body",
        "mcp_sec_4b1d0c2e9f8a7b6c5d4e3f2a1b0c9d8e",
        "1774900003",
        WEBSITE,
        b"\x00\xff\xfe.1774900003." + WEBSITE.encode() + b".\r\n",
    ),
    (
        "a secret longer than the SHA-256 block (64 bytes): HMAC hashes it first",
        "mcp_sec_" + "0123456789abcdef" * 6,
        "1774900004",
        WEBSITE,
        b'{"jsonrpc":"2.0","id":"x","method":"tools/list"}',
    ),
    (
        "another website, a short secret",
        "s",
        "1700000000",
        "00000000-0000-0000-0000-000000000000",
        b'{"a":1}',
    ),
]


def sign(secret: str, timestamp: str, website_id: str, body: bytes) -> str:
    payload = timestamp.encode() + b"." + website_id.encode() + b"." + body
    digest = hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).hexdigest()
    return "sha256=" + digest


def main() -> None:
    vectors = [
        {
            "what": what,
            "secret": secret,
            "timestamp": timestamp,
            "website_id": website_id,
            "body_base64": base64.b64encode(body).decode(),
            "signature": sign(secret, timestamp, website_id, body),
        }
        for what, secret, timestamp, website_id, body in CASES
    ]
    print(json.dumps(vectors, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
