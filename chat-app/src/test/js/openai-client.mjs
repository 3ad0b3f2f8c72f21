// Drives chatstream's OpenAI front door with the official `openai` Node SDK, unchanged (OpenAiDoorIT runs it).
// Usage: node openai-client.mjs <scenario>, with CHATSTREAM_URL (the server's base URL), CHATSTREAM_TOKEN and, for
// some scenarios, MODEL and MESSAGE (or MESSAGES, the whole list as JSON). Prints one JSON line: what the SDK gave the application.
import OpenAI from "openai";
import { run } from "./run.mjs";

const client = new OpenAI({
  baseURL: new URL("v1", process.env.CHATSTREAM_URL).toString(),
  apiKey: process.env.CHATSTREAM_TOKEN,
  maxRetries: 0,
  timeout: 30_000,
});
const model = process.env.MODEL ?? "llama3.2";
const messages = process.env.MESSAGES ? JSON.parse(process.env.MESSAGES) : [
  { role: "system", content: "Answer briefly." },
  { role: "user", content: "Olá" },
  { role: "assistant", content: "Olá! Em que posso ajudar?" },
  { role: "user", content: process.env.MESSAGE ?? "Liga o ar da sala" },
];

function described(error) {
  return {
    thrown: error.constructor.name,
    status: error.status ?? null,
    code: error.code ?? null,
    type: error.type ?? null,
    message: error.message,
    request_id: error.requestID ?? null,
  };
}

const scenarios = {
  // chat.completions.create({stream: true}): text, the action as a tool_calls delta, usage with include_usage
  async stream() {
    const stream = await client.chat.completions.create({
      model, messages, stream: true, stream_options: { include_usage: true },
    });
    let content = "";
    let role = null;
    const calls = [];
    let finish = null;
    let usage = null;
    let chunks = 0;
    let ids = new Set();
    for await (const chunk of stream) {
      chunks++;
      ids.add(chunk.id);
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        role = choice.delta.role ?? role;
        content += choice.delta.content ?? "";
        for (const call of choice.delta.tool_calls ?? []) {
          calls[call.index] ??= { id: call.id, name: "", arguments: "" };
          calls[call.index].name += call.function?.name ?? "";
          calls[call.index].arguments += call.function?.arguments ?? "";
        }
        finish = choice.finish_reason ?? finish;
      }
    }
    return { role, content, tool_calls: calls, finish_reason: finish, usage, chunks, ids: [...ids] };
  },

  // the SDK's own accumulating helper, which checks the stream's shape as it goes
  async helper() {
    const runner = client.chat.completions.stream({ model, messages, stream_options: { include_usage: true } });
    const completion = await runner.finalChatCompletion();
    return { message: completion.choices[0].message, finish_reason: completion.choices[0].finish_reason,
      usage: completion.usage };
  },

  // "stream": false: one chat.completion
  async whole() {
    const completion = await client.chat.completions.create({ model, messages });
    return { id: completion.id, object: completion.object, model: completion.model,
      message: completion.choices[0].message, finish_reason: completion.choices[0].finish_reason,
      usage: completion.usage };
  },

  async models() {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    return { ids };
  },

  // leaves after the first text chunk: the server must close the upstream request
  async abort() {
    const stream = await client.chat.completions.create({ model, messages, stream: true });
    let content = "";
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta?.content ?? "";
      if (content) {
        stream.controller.abort();
        break;
      }
    }
    return { content };
  },

  async streamError() {
    try {
      const stream = await client.chat.completions.create({ model, messages, stream: true });
      let content = "";
      for await (const chunk of stream) content += chunk.choices[0]?.delta?.content ?? "";
      return { content };
    } catch (error) {
      return described(error);
    }
  },

  async wholeError() {
    try {
      return await client.chat.completions.create({ model, messages });
    } catch (error) {
      return described(error);
    }
  },
};

await run(scenarios, described);
