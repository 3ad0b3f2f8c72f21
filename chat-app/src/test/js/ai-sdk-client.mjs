// Drives chatstream's AI SDK front door with the `ai` package's own chat (AbstractChat, as useChat wraps it) and its
// DefaultChatTransport, unchanged (UiChatDoorIT runs it). Usage: node ai-sdk-client.mjs <scenario>, with
// CHATSTREAM_URL, CHATSTREAM_TOKEN, and MESSAGE, CHAT_ID, MODEL (a body field the app adds). Prints one JSON line: the chat's messages and status.
import { AbstractChat, DefaultChatTransport } from "ai";
import { run } from "./run.mjs";

// The smallest ChatState, as @ai-sdk/react keeps it (arrays replaced, never changed in place).
class State {
  messages = [];
  status = "ready";
  error = undefined;
  pushMessage = (m) => { this.messages = this.messages.concat(m); };
  popMessage = () => { this.messages = this.messages.slice(0, -1); };
  replaceMessage = (i, m) => { this.messages = [...this.messages.slice(0, i), m, ...this.messages.slice(i + 1)]; };
  snapshot = (v) => structuredClone(v);
}

class Chat extends AbstractChat {
  constructor(options) {
    super({ ...options, state: new State() });
  }
}

const api = new URL("api/ui/chat", process.env.CHATSTREAM_URL).toString();
const headers = { Authorization: `Bearer ${process.env.CHATSTREAM_TOKEN}` };
const message = process.env.MESSAGE ?? "Liga o ar da sala";
const id = process.env.CHAT_ID ?? "chat-1";
const errors = [];
const body = process.env.MODEL ? { model: process.env.MODEL } : undefined;

function described(chat) {
  return {
    status: chat.status,
    error: chat.error?.message ?? null,
    errors,
    messages: chat.messages.map((m) => ({ id: m.id, role: m.role, parts: m.parts, metadata: m.metadata ?? null })),
  };
}

// A fetch whose first chat response breaks once the app shows some of its text (after its second text delta), as a
// dropped connection does: the real connection is closed, and the SDK sees the network error it sees then. It waits
// for the text to be shown, not for a time, so the cut always comes mid-reply with a partial message in the chat.
function cuttingFetch(shown) {
  let cut = false;
  return async (url, init) => {
    if (init?.method !== "POST" || cut) return fetch(url, init);
    cut = true;
    const real = new AbortController();
    const response = await fetch(url, { ...init, signal: real.signal });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    let cutting = false;
    const body = new ReadableStream({
      async pull(controller) {
        if (cutting) {
          for (let i = 0; i < 1000 && !shown(); i++) await new Promise((r) => setTimeout(r, 10));
          real.abort();
          return controller.error(new TypeError("network error"));
        }
        const { done, value } = await reader.read();
        if (done) return controller.close();
        seen += decoder.decode(value, { stream: true });
        controller.enqueue(value);
        cutting = (seen.match(/"text-delta"/g) ?? []).length >= 2;
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

const shownText = (chat) => chat?.messages.some((m) => m.role === "assistant"
    && m.parts.some((p) => p.type === "text" && p.text.length > 0)) ?? false;

const scenarios = {
  async chat() {
    const chat = new Chat({ id, transport: new DefaultChatTransport({ api, headers, body }), onError: (e) => errors.push(e.message) });
    await chat.sendMessage({ text: message });
    return described(chat);
  },

  // the connection drops mid-reply; the app resumes (useChat's resumeStream) and gets every word once
  async cut() {
    let chat;
    chat = new Chat({
      id, transport: new DefaultChatTransport({ api, headers, fetch: cuttingFetch(() => shownText(chat)) }),
      onError: (e) => errors.push(e.message),
    });
    await chat.sendMessage({ text: message });
    const afterCut = described(chat);
    await chat.resumeStream();
    const resumed = described(chat);
    await chat.resumeStream(); // the turn has ended: 204, nothing changes
    return { afterCut, resumed, again: described(chat) };
  },
};

await run(scenarios, (error) => ({ thrown: error.constructor.name, message: error.message }));
