// Renders the useChatStream hook (chatstream's use-chat-stream.js, as the server serves it, copied into ./served by
// ReactHookIT) with React from npm and React Testing Library in jsdom, against the real server. Usage:
// node react-hook.mjs <scenario>, with CHATSTREAM_URL and CHATSTREAM_TOKEN. Prints one JSON line.
import { JSDOM } from "jsdom";
import { run } from "./run.mjs";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { url: process.env.CHATSTREAM_URL });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.navigator = dom.window.navigator;
globalThis.HTMLElement = dom.window.HTMLElement;
globalThis.IS_REACT_ACT_ENVIRONMENT = true;
const { renderHook, act, waitFor } = await import("@testing-library/react");
const { useChatStream } = await import("./served/use-chat-stream.js");

const base = process.env.CHATSTREAM_URL.replace(/\/$/, "");
const token = process.env.CHATSTREAM_TOKEN;
const done = { timeout: 20_000, interval: 20 };

function state(result) {
  const { messages, isStreaming, error, action, currentStreamingMessage, conversationId } = result.current;
  return { messages, isStreaming, error, action, currentStreamingMessage, conversationId };
}

// Sends a message and records what the component saw while the reply streamed.
async function send(result, text) {
  const partials = [];
  let finished;
  await act(async () => { finished = result.current.sendMessage(text); });
  await waitFor(() => {
    if (result.current.currentStreamingMessage) partials.push(result.current.currentStreamingMessage);
    if (result.current.isStreaming) throw new Error("still streaming");
  }, done);
  return { outcome: await finished, partials: [...new Set(partials)] };
}

await run({
  async reply() {
    const { result, unmount } = renderHook(() => useChatStream({ token, base }));
    const sent = await send(result, process.env.MESSAGE ?? "Liga o ar da sala");
    const out = { ...sent, ...state(result) };
    unmount();
    return out;
  },

  // Stop the first reply of a new conversation, then go on: one conversation, with the history
  async stopAndContinue() {
    const { result, unmount } = renderHook(() => useChatStream({ token, base }));
    let finished;
    await act(async () => { finished = result.current.sendMessage("Conta uma história longa"); });
    await waitFor(() => { if (!result.current.currentStreamingMessage) throw new Error("no text yet"); }, done);
    const seenBeforeStop = result.current.currentStreamingMessage;
    const idAtStop = result.current.conversationId;
    await act(async () => { result.current.cancelStream(); });
    const stopped = await finished;
    await waitFor(() => { if (result.current.isStreaming) throw new Error("still streaming"); }, done);
    const next = await send(result, "continua");
    const out = { stopped, seenBeforeStop, idAtStop, next: next.outcome, ...state(result) };
    unmount();
    return out;
  },
}, (error) => ({ thrown: error.constructor.name, message: error.message }));
