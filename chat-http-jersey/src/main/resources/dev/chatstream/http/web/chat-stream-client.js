// chat-stream-client.js — a small, framework-free client of chatstream's streaming API (docs/api.md).
// Copy it freely. It POSTs with a Bearer token, reads the Server-Sent Events from fetch's ReadableStream
// (events split across reads, multi-byte characters split across reads, \r\n / \r / \n, comments),
// and hands out typed events through callbacks, an async iterator, or both. abort() stops the request;
// the server then closes its upstream. With `resumable: true` a dropped connection is resumed from the last
// event's id (each event exactly once), and abort() stops the turn on the server.

/** An incremental SSE parser: push() bytes (Uint8Array) or text as they arrive; complete events come out. */
export class SseParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.decoder = new TextDecoder('utf-8');
    this.buffer = '';
    this.afterCr = false;
    this.reset();
  }

  reset() {
    this.name = '';
    this.data = [];
    this.id = null;
  }

  push(chunk) {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\n' && this.afterCr) { // the \n of a \r\n
        this.afterCr = false;
        start = i + 1;
        continue;
      }
      this.afterCr = false;
      if (c === '\r' || c === '\n') {
        this.line(this.buffer + text.slice(start, i));
        this.buffer = '';
        start = i + 1;
        this.afterCr = c === '\r';
      }
    }
    this.buffer += text.slice(start);
  }

  /** Call at the end of the stream: flushes a half-decoded character (an event without its blank line is dropped). */
  end() {
    this.buffer += this.decoder.decode();
  }

  line(line) {
    if (line === '') {
      if (this.data.length > 0) {
        this.onEvent({ event: this.name || 'message', data: this.data.join('\n'), id: this.id });
      }
      this.reset();
      return;
    }
    if (line.startsWith(':')) return; // a comment, e.g. ": ping"
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.name = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    // retry means nothing here; unknown fields are ignored, as the SSE rules say
  }
}

/**
 * Streams one reply. Options:
 *   token (required), message (required unless turnId), conversationId, history, includeThinking,
 *   replaceFrom (with conversationId: the id of a stored user message this turn replaces, with everything after it),
 *   turnId (attach to this running turn from its first event instead of sending a message: a reloaded page),
 *   resumable (a dropped connection is resumed, up to `retries` times, default 6, with backoff; abort() stops the
 *   turn on the server), url (default '/api/chat/stream/'), base (default '', for the turn routes),
 *   phases (phase events: onPhase({phase, atMs})), speech (the server's speakable segments: onSpeech({text, index})),
 *   fetch (default globalThis.fetch), onReconnecting(attempt),
 *   onOpen({turnId, conversationId}) (the conversation is known from the start, also for a new one), onChunk(text), onThinking(text), onFinalText(text), onAction(action, ticket?), onActionResult(result),
 *   onActionError(error), onDone(done), onError(error)   — error: {code, error, status?, retryAfter?, conversationId?}
 *   ticket (servers with actions.auto): {id, needsConfirmation, confirmBy}; result: {id, status, message}
 * Returns {abort(), finished, turnId(), conversationId(), lastEventId(), [Symbol.asyncIterator]}: `finished` resolves to 'done',
 * 'error' or 'aborted';
 * iterating yields {type: 'chunk'|'thinking'|'phase'|'speech'|'final_text'|'action'|'action_result'|'action_error'|'done'|'error',
 * ...}.
 * Exactly one of done / error ends a stream that was not aborted.
 */
export function streamChat(options) {
  const controller = new AbortController();
  const queue = [];
  const waiting = [];
  let ended = false;
  const emit = (event) => {
    const waiter = waiting.shift();
    if (waiter) waiter({ value: event, done: false });
    else queue.push(event);
  };
  const close = () => {
    ended = true;
    while (waiting.length) waiting.shift()({ value: undefined, done: true });
  };
  const call = (name, arg) => {
    if (typeof options[name] === 'function') options[name](arg);
  };

  let turnId = options.turnId || null;
  // the opt-in events again when reading a turn's events (a reload, a reconnect)
  const optIns = () => {
    const asked = [options.phases && 'phases=true', options.speech && 'speech=true'].filter(Boolean);
    return asked.length ? '?' + asked.join('&') : '';
  };
  let conversationId = null;
  let lastEventId = null;
  const doFetch = (url, init) => (options.fetch || globalThis.fetch)(url, { ...init, signal: controller.signal,
    cache: 'no-store' });
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function run() {
    const body = { message: options.message };
    if (options.conversationId != null) body.conversation_id = options.conversationId;
    if (options.replaceFrom != null) body.replace_from = options.replaceFrom;
    if (options.history) body.history = options.history;
    if (options.includeThinking) body.include_thinking = true;
    if (options.resumable) body.resumable = true;
    if (options.phases) body.phases = true;
    if (options.speech) body.speech = true;
    const fail = (error) => {
      emit({ type: 'error', ...error });
      call('onError', error);
      return 'error';
    };
    let response;
    try {
      response = turnId
        ? await doFetch((options.base || '') + '/api/chat/turns/' + encodeURIComponent(turnId) + '/events'
          + optIns(), {
          method: 'GET', headers: { 'Authorization': 'Bearer ' + options.token, 'Accept': 'text/event-stream' } })
        : await doFetch(options.url || (options.base || '') + '/api/chat/stream/', {
          method: 'POST',
          headers: { 'Authorization': 'Bearer ' + options.token, 'Content-Type': 'application/json',
            'Accept': 'text/event-stream' },
          body: JSON.stringify(body),
        });
    } catch (e) {
      if (controller.signal.aborted) return 'aborted';
      return fail({ code: 'network', error: 'The server cannot be reached (' + e.message + '); check your connection and try again' });
    }
    if (response.status === 204) return 'done'; // attached to a turn that had already ended
    if (!response.ok) {
      return fail({ ...(await refusal(response)), retryAfter: response.headers.get('Retry-After') });
    }
    turnId = response.headers.get('X-Turn-Id') || turnId;
    const conversation = response.headers.get('X-Conversation-Id');
    conversationId = conversation == null ? null : Number(conversation);
    call('onOpen', { turnId, conversationId });
    const state = { outcome: null };
    let broke = await read(response, state, fail);
    // a resumable turn goes on without us: come back from the last event we have, each event once
    for (let attempt = 1; broke && (options.resumable || options.turnId) && turnId && attempt <= (options.retries ?? 6); attempt++) {
      call('onReconnecting', attempt);
      await sleep(Math.min(8000, 250 * 2 ** (attempt - 1)));
      if (controller.signal.aborted) return 'aborted';
      const headers = { 'Authorization': 'Bearer ' + options.token, 'Accept': 'text/event-stream' };
      if (lastEventId) headers['Last-Event-ID'] = lastEventId;
      try {
        response = await doFetch((options.base || '') + '/api/chat/turns/' + encodeURIComponent(turnId) + '/events'
          + optIns(),
          { method: 'GET', headers });
      } catch (e) {
        if (controller.signal.aborted) return 'aborted';
        continue; // still offline: try again
      }
      if (response.status === 204) return state.outcome || 'done'; // we had everything
      if (!response.ok) return fail(await refusal(response)); // e.g. turn_not_found: it is gone
      broke = await read(response, state, fail);
    }
    if (broke === 'broken') {
      return fail({ code: 'network', error: 'The connection broke mid-reply (' + state.why + '); try again' });
    }
    if (controller.signal.aborted && !state.outcome) return 'aborted';
    return state.outcome || fail({ code: 'stream_cut', error: 'The reply ended early (no done or error event); try again' });
  }

  /**
   * Reads one response; returns false once it ended with its terminal event (or was aborted), 'broken' when the
   * connection failed first, 'cut' when it ended without a terminal event.
   */
  async function read(response, state, fail) {
    const parser = new SseParser(({ event, data, id }) => {
      if (state.outcome) return;
      if (id) lastEventId = id;
      let json;
      try { json = JSON.parse(data); } catch (e) { return; }
      switch (event) {
        case 'message':
          if (json.type === 'chunk') { emit({ type: 'chunk', content: json.content }); call('onChunk', json.content); }
          break;
        case 'thinking': emit({ type: 'thinking', content: json.content }); call('onThinking', json.content); break;
        case 'phase': // with phases: true; old clients never get it
          emit({ type: 'phase', phase: json.phase, atMs: json.at_ms });
          call('onPhase', { phase: json.phase, atMs: json.at_ms });
          break;
        case 'speech': // with speech: true; old clients never get it
          emit({ type: 'speech', text: json.text, index: json.index });
          call('onSpeech', { text: json.text, index: json.index });
          break;
        case 'final_text': emit({ type: 'final_text', text: json.text }); call('onFinalText', json.text); break;
        case 'action': {
          // with actions.auto on the server, the action has an id and may wait for the user's confirmation
          const ticket = json.id == null ? undefined
            : { id: json.id, needsConfirmation: json.needs_confirmation === true, confirmBy: json.confirm_by };
          emit({ type: 'action', action: json.action, ticket });
          if (typeof options.onAction === 'function') options.onAction(json.action, ticket);
          break;
        }
        case 'action_result': emit({ type: 'action_result', ...json }); call('onActionResult', json); break;
        case 'action_error': emit({ type: 'action_error', ...json }); call('onActionError', json); break;
        case 'done': state.outcome = 'done'; emit({ type: 'done', ...json }); call('onDone', json); break;
        case 'error':
          state.outcome = fail({ code: json.code, error: json.error, conversationId: json.conversation_id,
            requestId: json.request_id, retryAfter: json.retry_after });
          break;
        default: break; // an event this client does not know: ignored, as old clients must
      }
    });
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
        if (state.outcome) break;
      }
      parser.end();
    } catch (e) {
      if (controller.signal.aborted) return false;
      if (!state.outcome) { state.why = e.message; return 'broken'; }
    } finally {
      reader.cancel().catch(() => {});
    }
    if (controller.signal.aborted) return false;
    return state.outcome ? false : 'cut';
  }

  const finished = run().then((outcome) => { close(); return outcome; });

  return {
    abort() {
      if ((options.resumable || options.turnId) && turnId) {
        // a resumable turn outlives this request: stop it on the server too
        (options.fetch || globalThis.fetch)((options.base || '') + '/api/chat/turns/' + encodeURIComponent(turnId)
          + '/stop', { method: 'POST', headers: { 'Authorization': 'Bearer ' + options.token } }).catch(() => {});
      }
      controller.abort();
    },
    turnId: () => turnId,
    conversationId: () => conversationId,
    lastEventId: () => lastEventId,
    finished,
    [Symbol.asyncIterator]() {
      return {
        next() {
          if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
          if (ended) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => waiting.push(resolve));
        },
      };
    },
  };
}

/**
 * Confirms (confirm: true) or cancels (confirm: false) an action that waits for the user, by its ticket id.
 * Options: token, id, confirm, base (default ''), fetch. Resolves to the result {id, status, message} (status
 * done, failed, refused or cancelled), or to {error, code, status} when it could not be decided: code
 * action_not_found (404), action_already_decided (409), action_expired (410), network, or the server's own.
 */
export async function decideAction(options) {
  const verb = options.confirm ? 'confirm' : 'cancel';
  let response;
  try {
    response = await (options.fetch || globalThis.fetch)((options.base || '') + '/api/actions/'
      + encodeURIComponent(options.id) + '/' + verb, {
      method: 'POST', headers: { 'Authorization': 'Bearer ' + options.token }, cache: 'no-store' });
  } catch (e) {
    return { code: 'network', error: 'The server cannot be reached (' + e.message + '); nothing was decided' };
  }
  if (!response.ok) return refusal(response);
  try { return await response.json(); } catch (e) { return { code: 'bad_answer', error: 'The server answered in a form this page does not know' }; }
}

/** A refused request as {code, error, status}: the server's JSON error when it sent one, else the status. */
async function refusal(response) {
  let json = {};
  try { json = await response.json(); } catch (e) { /* not our JSON: the status says enough */ }
  return { code: json.code || 'http_' + response.status, error: json.error || 'The server answered ' + response.status,
    status: response.status };
}
