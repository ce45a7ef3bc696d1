// The quickstart in TypeScript, typed by nothing but spec/crisp-rest-v1.yaml: openapi-typescript
// turns the spec into `paths`/`components` (generated/crisp.ts, produced by .ci/spec-tools in a
// temporary folder, never committed) and openapi-fetch sends typed requests with them.
//
// .ci/spec-tools type-checks this file with `tsc --strict --noEmit`, then runs it against the
// embedded mock (`cargo run -p crisp-mock`): CRISP_API_URL, CRISP_IDENTIFIER, CRISP_KEY.

import createClient from "openapi-fetch";
import type { components, paths } from "./generated/crisp.js";

type Conversation = components["schemas"]["Conversation"];
type Message = components["schemas"]["Message"];
type MessageNew = components["schemas"]["MessageNew"];
type ErrorEnvelope = components["schemas"]["ErrorEnvelope"];

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} must be set`);
  }
  return value;
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) {
    throw new Error(`quickstart.ts: ${what}`);
  }
}

const baseUrl = env("CRISP_API_URL");
const credentials = Buffer.from(`${env("CRISP_IDENTIFIER")}:${env("CRISP_KEY")}`).toString("base64");
const websiteId = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";

const crisp = createClient<paths>({
  baseUrl,
  headers: { Authorization: `Basic ${credentials}`, "X-Crisp-Tier": "plugin" },
});

// 1. Create a conversation.
const created = await crisp.POST("/website/{website_id}/conversation", {
  params: { path: { website_id: websiteId } },
  body: {},
});
check(created.error === undefined, `create_new_conversation failed: ${created.response.status}`);
const sessionId: string = created.data.data?.session_id ?? "";
check(sessionId.startsWith("session_"), `unexpected session_id ${sessionId}`);
console.log(`1. created conversation ${sessionId}`);

// 2. Send a message; the body is checked against the spec's MessageNew at compile time.
const text = "Hello from TypeScript, typed by the spec!";
const message: MessageNew = { type: "text", from: "operator", origin: "chat", content: text };
const sent = await crisp.POST("/website/{website_id}/conversation/{session_id}/message", {
  params: { path: { website_id: websiteId, session_id: sessionId } },
  body: message,
});
check(sent.error === undefined, `send_message_in_conversation failed: ${sent.response.status}`);
const fingerprint: number | undefined = sent.data.data?.fingerprint;
check(typeof fingerprint === "number", "no fingerprint");
console.log(`2. sent a message, fingerprint ${fingerprint}`);

// 3. List conversations: the new one is on page 1.
const listed = await crisp.GET("/website/{website_id}/conversations/{page_number}", {
  params: { path: { website_id: websiteId, page_number: 1 }, query: { per_page: 20 } },
});
check(listed.error === undefined, `list_conversations failed: ${listed.response.status}`);
const conversations: Conversation[] = listed.data.data ?? [];
check(
  conversations.some((c) => c.session_id === sessionId && c.last_message === text),
  "the new conversation is not listed with its last message",
);
console.log(`3. listed ${conversations.length} conversation(s) on page 1`);

// 4. Read the messages back.
const read = await crisp.GET("/website/{website_id}/conversation/{session_id}/messages", {
  params: { path: { website_id: websiteId, session_id: sessionId } },
});
check(read.error === undefined, `get_messages_in_conversation failed: ${read.response.status}`);
const messages: Message[] = read.data.data ?? [];
check(
  messages.some((m) => m.fingerprint === fingerprint && m.content === text && m.from === "operator"),
  "the message did not come back",
);
console.log(`4. read ${messages.length} message(s) back`);

// An unknown conversation is a typed error envelope.
const missing = await crisp.GET("/website/{website_id}/conversation/{session_id}", {
  params: { path: { website_id: websiteId, session_id: "session_unknown" } },
});
const error: ErrorEnvelope | undefined = missing.error;
check(
  missing.response.status === 404 && error?.error === true && error.reason === "not_found",
  `an unknown conversation should be 404 not_found, got ${missing.response.status}`,
);
console.log("5. an unknown conversation answers 404 not_found");
console.log("TypeScript quickstart passed");
