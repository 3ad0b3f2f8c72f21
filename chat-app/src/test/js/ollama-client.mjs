// Drives chatstream's Ollama front door with ollama-js (the `ollama` package), unchanged (OllamaDoorIT runs it).
// Usage: node ollama-client.mjs <scenario>, with CHATSTREAM_URL (the server's base URL) and CHATSTREAM_TOKEN (sent
// with the library's own `headers` option; empty: none), and for some scenarios MODEL, MESSAGES (the whole list as JSON), THINK,
// EXTRA (more request fields as JSON). Prints one JSON line: what the library gave the application.
import { Ollama } from "ollama";
import { run } from "./run.mjs";

// no token: no Authorization header at all, as Home Assistant's integration sends (a proxy adds it)
const ollama = new Ollama({
  host: process.env.CHATSTREAM_URL,
  headers: process.env.CHATSTREAM_TOKEN ? { Authorization: `Bearer ${process.env.CHATSTREAM_TOKEN}` } : {},
});
const model = process.env.MODEL ?? "llama3.2";
const messages = process.env.MESSAGES ? JSON.parse(process.env.MESSAGES) : [
  { role: "system", content: "Answer briefly." },
  { role: "user", content: "Liga o ar da sala" },
];
const think = process.env.THINK === "true" ? true : undefined;
const extra = process.env.EXTRA ? JSON.parse(process.env.EXTRA) : {};

function described(error) {
  return { thrown: error.constructor.name, status: error.status_code ?? null, message: error.message };
}

const scenarios = {
  async stream() {
    const parts = await ollama.chat({ model, messages, stream: true, think, ...extra });
    let content = "";
    let thinking = "";
    const calls = [];
    let last = null;
    let lines = 0;
    for await (const part of parts) {
      lines++;
      content += part.message?.content ?? "";
      thinking += part.message?.thinking ?? "";
      calls.push(...(part.message?.tool_calls ?? []));
      last = part;
    }
    return { content, thinking, tool_calls: calls, done: last.done, done_reason: last.done_reason,
      eval_count: last.eval_count, prompt_eval_count: last.prompt_eval_count, model: last.model, lines };
  },

  async whole() {
    const reply = await ollama.chat({ model, messages, stream: false, think, ...extra });
    return reply;
  },

  async list() {
    const list = await ollama.list();
    return { names: list.models.map((m) => m.name), first: list.models[0] };
  },

  async show() {
    const show = await ollama.show({ model });
    const version = await ollama.version();
    return { capabilities: show.capabilities, model_info: show.model_info, version: version.version };
  },

  async pull() {
    try {
      return await ollama.pull({ model });
    } catch (error) {
      return described(error);
    }
  },

  // leaves after the first text: the server must close the upstream request
  async abort() {
    const parts = await ollama.chat({ model, messages, stream: true });
    let content = "";
    try {
      for await (const part of parts) {
        content += part.message?.content ?? "";
        if (content) parts.abort();
      }
    } catch (error) {
      return { content, thrown: error.name };
    }
    return { content };
  },

  async streamError() {
    try {
      const parts = await ollama.chat({ model, messages, stream: true });
      let content = "";
      for await (const part of parts) content += part.message?.content ?? "";
      return { content };
    } catch (error) {
      return described(error);
    }
  },

  async wholeError() {
    try {
      return await ollama.chat({ model, messages, stream: false });
    } catch (error) {
      return described(error);
    }
  },
};

await run(scenarios, described);
