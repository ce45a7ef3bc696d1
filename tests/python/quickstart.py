"""The quickstart in Python, through a client generated from spec/crisp-rest-v1.yaml alone.

.ci/spec-tools generates the client with openapi-python-client into a temporary folder as the
package `crisp_rest` (never committed), puts that folder on PYTHONPATH, starts the embedded mock
(`cargo run -p crisp-mock -- --port N`) and runs this script with CRISP_API_URL,
CRISP_IDENTIFIER and CRISP_KEY. It exits non-zero when the flow does not give back what it sent.
"""

import base64
import os
import sys

from crisp_rest import AuthenticatedClient
from crisp_rest.api.website_conversation import (
    create_new_conversation,
    get_conversation,
    get_messages_in_conversation,
    list_conversations,
    send_message_in_conversation,
)
from crisp_rest.models import (
    ConversationListEnvelope,
    ConversationNewEnvelope,
    EmptyBody,
    ErrorEnvelope,
    MessageListEnvelope,
    MessageNew,
    MessageSentEnvelope,
)
from crisp_rest.types import Unset

WEBSITE_ID = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc"


def check(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"quickstart.py: {what}")


def main() -> None:
    credentials = f"{os.environ['CRISP_IDENTIFIER']}:{os.environ['CRISP_KEY']}"
    client = AuthenticatedClient(
        base_url=os.environ["CRISP_API_URL"],
        token=base64.b64encode(credentials.encode()).decode(),
        prefix="Basic",
        headers={"X-Crisp-Tier": "plugin"},
        raise_on_unexpected_status=True,
    )

    # 1. Create a conversation.
    created = create_new_conversation.sync_detailed(WEBSITE_ID, client=client, body=EmptyBody())
    check(created.status_code == 200, f"create_new_conversation answered {created.status_code}")
    check(isinstance(created.parsed, ConversationNewEnvelope), f"unexpected {created.parsed!r}")
    check(created.parsed.error is False and not isinstance(created.parsed.data, Unset), "no data")
    session_id = created.parsed.data.session_id
    check(session_id.startswith("session_"), f"unexpected session_id {session_id}")
    print(f"1. created conversation {session_id}")

    # 2. Send a message.
    text = "Hello from Python, through the generated client!"
    sent = send_message_in_conversation.sync(
        WEBSITE_ID,
        session_id,
        client=client,
        body=MessageNew(
            # Open enums (values Crisp may extend) are plain strings for other languages.
            type_="text", from_="operator", origin="chat", content=text
        ),
    )
    check(isinstance(sent, MessageSentEnvelope), f"send_message_in_conversation: {sent!r}")
    check(not isinstance(sent.data, Unset), "no fingerprint")
    fingerprint = sent.data.fingerprint
    check(isinstance(fingerprint, int) and fingerprint > 2**32, f"fingerprint {fingerprint}")
    print(f"2. sent a message, fingerprint {fingerprint}")

    # 3. List conversations: the new one is on page 1, with its last message.
    listed = list_conversations.sync(WEBSITE_ID, 1, client=client, per_page=20)
    check(isinstance(listed, ConversationListEnvelope), f"list_conversations: {listed!r}")
    check(not isinstance(listed.data, Unset), "no page")
    mine = [c for c in listed.data if c.session_id == session_id]
    check(len(mine) == 1, "the new conversation is not listed")
    check(mine[0].last_message == text, f"last_message {mine[0].last_message!r}")
    print(f"3. listed {len(listed.data)} conversation(s) on page 1")

    # 4. Read the messages back.
    read = get_messages_in_conversation.sync(WEBSITE_ID, session_id, client=client)
    check(isinstance(read, MessageListEnvelope), f"get_messages_in_conversation: {read!r}")
    check(not isinstance(read.data, Unset), "no messages")
    back = [m for m in read.data if m.fingerprint == fingerprint]
    check(len(back) == 1, "the message did not come back")
    check(back[0].content == text and back[0].from_ == "operator", f"got {back[0]!r}")
    print(f"4. read {len(read.data)} message(s) back")

    # An unknown conversation is Crisp's error envelope, typed.
    missing = get_conversation.sync_detailed(WEBSITE_ID, "session_unknown", client=client)
    check(missing.status_code == 404, f"unknown conversation answered {missing.status_code}")
    check(
        isinstance(missing.parsed, ErrorEnvelope) and missing.parsed.reason == "not_found",
        f"unexpected {missing.parsed!r}",
    )
    print("5. an unknown conversation answers 404 not_found")
    print("Python quickstart passed")


if __name__ == "__main__":
    main()
