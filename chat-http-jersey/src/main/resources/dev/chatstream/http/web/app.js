// The chat page. Talks to the API with the token kept in this browser (localStorage); streams replies with
// chat-stream-client.js; renders model output with markdown.js (DOM nodes only, never HTML).
import { streamChat, decideAction } from '/static/chat-stream-client.js';
import { renderMarkdown } from '/static/markdown.js';

const TOKEN = 'chatstream.token';
const CONVERSATION = 'chatstream.conversation';
const $ = (id) => document.getElementById(id);

const state = { token: null, conversationId: null, stream: null, follow: true };

/**
 * Speaks a reply segment by segment as the server cuts them (`speech: true`: each sentence as soon as it is known to
 * have ended, the first one earlier at a long clause; without Markdown, code, links or emoji), with the browser's
 * speech synthesis.
 */
class Speaker {
  get enabled() { return $('read-aloud').checked && 'speechSynthesis' in window; }
  stop() {
    if ('speechSynthesis' in window) window.speechSynthesis.cancel();
  }
  say(segment) {
    if (!this.enabled) return;
    const utterance = new SpeechSynthesisUtterance(segment);
    utterance.lang = navigator.language || 'en'; // the reply's language is the user's, not the page's (English)
    window.speechSynthesis.speak(utterance);
  }
}
const speaker = new Speaker();

function signIn(reason) {
  state.token = null;
  localStorage.removeItem(TOKEN);
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('who').hidden = true;
  for (const e of document.querySelectorAll('.signed-in')) e.hidden = true;
  $('sign-in').hidden = false;
  if (reason) $('sign-in-reason').textContent = reason;
  $('token-input').focus();
}

async function start(token) {
  state.token = token;
  localStorage.setItem(TOKEN, token);
  $('sign-in').hidden = true;
  $('app').hidden = false;
  $('sign-out').hidden = false;
  for (const e of document.querySelectorAll('.signed-in')) e.hidden = false;
  const me = await api('/api/me');
  if (me.ok) {
    const { user } = await me.json();
    $('who').textContent = 'Signed in as ' + user;
    $('who').hidden = false;
    $('welcome-title').textContent = 'Hello, ' + user;
  }
  showReadiness(); // not awaited: Ollama may take a moment to answer
  await loadConversations();
  const saved = localStorage.getItem(CONVERSATION);
  if (saved) await openConversation(Number(saved));
  $('input').focus();
}

/** What the empty page says about the model: ready, or what is wrong and what to do (GET /api/ready). */
async function showReadiness() {
  const line = $('readiness');
  try {
    const response = await api('/api/ready');
    const ready = await response.json();
    line.classList.toggle('not-ready', !response.ok);
    line.setAttribute('role', response.ok ? 'status' : 'alert');
    if (response.ok) {
      line.textContent = 'The model ' + ready.model + ' is ready' + (ready.ollama_version
        ? ' (Ollama ' + ready.ollama_version + ')' : '') + '.';
    } else {
      withInlineCode(line, 'Chats will fail until this is fixed: ' + (ready.reason || 'the server is not ready'));
    }
  } catch (e) {
    if (e.message === 'unauthorized') return;
    line.classList.add('not-ready');
    line.textContent = 'The server cannot be reached; check your connection.';
  }
}

/** Sets `text` into `element`, `like this` as code (error messages name commands that way). */
function withInlineCode(element, text) {
  element.replaceChildren(...text.split('`').map((part, i) => {
    if (i % 2 === 0) return document.createTextNode(part);
    const code = document.createElement('code');
    code.textContent = part;
    return code;
  }));
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, cache: 'no-store',
    headers: { 'Authorization': 'Bearer ' + state.token, ...(options.headers || {}) } });
  if (response.status === 401) {
    signIn('This token is not valid (unknown or revoked); sign in with another.');
    throw new Error('unauthorized');
  }
  return response;
}

async function loadConversations() {
  const response = await api('/api/conversations');
  if (!response.ok) return [];
  const { conversations } = await response.json();
  const list = $('conversations');
  list.replaceChildren(...conversations.map((c) => {
    const li = document.createElement('li');
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'open';
    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = c.title;
    const when = document.createElement('span');
    when.className = 'when';
    const updated = new Date(c.updated_at);
    when.textContent = shortDate(updated); // two chats both titled "Olá" are told apart by when they were
    open.append(title, when);
    open.title = c.title + ' (' + updated.toLocaleString() + ')';
    if (c.id === state.conversationId) open.setAttribute('aria-current', 'true');
    open.addEventListener('click', () => { openConversation(c.id); toggleList(false); });
    const rename = iconButton('rename', '✎', 'Rename conversation: ' + c.title, () => askToRename(li, c));
    const remove = iconButton('delete', '✕', 'Delete conversation: ' + c.title, () => askToDelete(li, c));
    li.append(open, rename, remove);
    li.dataset.title = c.title;
    return li;
  }));
  filterConversations();
  return conversations;
}

/** A small button that shows `text` (a symbol or a short word) and says `label` to screen readers. */
function iconButton(kind, text, label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = kind + ' icon';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

/** Shows only the conversations whose title holds what the search box says (any case, accents ignored). */
function filterConversations() {
  const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const wanted = fold($('search').value.trim());
  let shown = 0;
  for (const li of $('conversations').children) {
    const match = !wanted || fold(li.dataset.title || '').includes(wanted);
    li.hidden = !match;
    if (match) shown++;
  }
  $('no-match').hidden = !wanted || shown > 0;
}

/** Today: the time; this year: day and month; else with the year. */
function shortDate(d) {
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toLocaleDateString([], d.getFullYear() === now.getFullYear() ? { day: 'numeric', month: 'short' }
    : { day: 'numeric', month: 'short', year: 'numeric' });
}

/** ✎ edits the title in place: Enter (or Save) keeps it, Escape (or Cancel) leaves it as it was. */
function askToRename(li, c) {
  const kept = [...li.childNodes];
  const input = document.createElement('input');
  input.type = 'text';
  input.className = 'rename-input';
  input.value = c.title;
  input.maxLength = 200;
  input.setAttribute('aria-label', 'New name for “' + c.title + '”');
  const save = document.createElement('button');
  save.type = 'button';
  save.className = 'save-rename';
  save.textContent = 'Save';
  const cancel = () => { li.replaceChildren(...kept); li.querySelector('.rename').focus(); };
  const commit = async () => {
    const title = input.value.trim();
    if (!title || title === c.title) { cancel(); return; }
    save.disabled = true;
    const response = await api('/api/conversations/' + c.id, { method: 'PATCH',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title }) });
    if (!response.ok) { save.disabled = false; input.setCustomValidity('Could not rename it; try again'); input.reportValidity(); return; }
    await loadConversations();
  };
  save.addEventListener('click', commit);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); commit(); }
    if (e.key === 'Escape') { e.preventDefault(); cancel(); }
  });
  li.replaceChildren(input, save);
  input.focus();
  input.select();
}

/** ✕ asks first, in place: deleting a conversation cannot be undone. */
function askToDelete(li, c) {
  const kept = [...li.childNodes];
  const ask = document.createElement('span');
  ask.className = 'ask';
  ask.textContent = 'Delete “' + c.title + '”?';
  const yes = document.createElement('button');
  yes.type = 'button';
  yes.className = 'confirm-delete';
  yes.textContent = 'Delete';
  yes.addEventListener('click', () => deleteConversation(c.id));
  const no = document.createElement('button');
  no.type = 'button';
  no.className = 'keep';
  no.textContent = 'Keep';
  no.addEventListener('click', () => { li.replaceChildren(...kept); li.querySelector('.delete').focus(); });
  li.replaceChildren(ask, yes, no);
  no.focus();
}

function setConversation(id) {
  state.conversationId = id;
  if (id == null) localStorage.removeItem(CONVERSATION);
  else localStorage.setItem(CONVERSATION, String(id));
}

async function openConversation(id) {
  if (state.stream) return;
  const response = await api('/api/conversations/' + id);
  if (!response.ok) { setConversation(null); $('messages').replaceChildren(); await loadConversations(); return; }
  const { messages, running_turn: running } = await response.json();
  setConversation(id);
  $('messages').replaceChildren();
  for (const m of messages) {
    const item = addMessage(m.role, m.content, m.id);
    const ended = showStored(item, m.events || []);
    if (m.status !== 'complete' && !ended) note(item, STATUS_NOTES[m.status] || 'Broke off');
  }
  if (running) {
    // a reply still streaming (this page was reloaded, or it runs on another device): show it all and follow it
    addMessage('user', running.message);
    reply(running.message, { turnId: running.turn_id });
  }
  scrollToEnd(true);
  await loadConversations();
}

/**
 * What the user saw beside a stored reply's text, shown again as it was live: its action cards with their results,
 * actions that could not be read, and the error that ended it. Returns whether an error (or a stop) was shown.
 */
function showStored(item, events) {
  let ended = false;
  for (const { event, data } of events) {
    if (event === 'action') {
      const ticket = data.id ? { id: data.id, needsConfirmation: data.needs_confirmation === true,
        confirmBy: data.confirm_by } : undefined;
      const card = actionCard(data.action, ticket);
      if (ticket && ticket.needsConfirmation && new Date(ticket.confirmBy) < new Date()) {
        // its time to be confirmed is over: no buttons that could only fail
        card.querySelectorAll('.action-ask, button').forEach((e) => e.remove());
        const past = document.createElement('p');
        past.className = 'action-status not-done';
        past.textContent = 'Waited for your confirmation until ' + new Date(ticket.confirmBy).toLocaleTimeString()
          + '; it can no longer be confirmed here.';
        card.appendChild(past);
      }
      item.appendChild(card);
    } else if (event === 'action_result') {
      const card = item.querySelector('.action-card[data-action-id="' + CSS.escape(data.id) + '"]');
      if (card) showActionResult(card, data);
    } else if (event === 'action_error') {
      note(item, 'The model asked for an action that could not be read: ' + data.error);
    } else if (event === 'error') {
      ended = true;
      if (data.code === 'cancelled') { note(item, STATUS_NOTES.cancelled); continue; }
      const box = document.createElement('div');
      box.className = 'error';
      const words = document.createElement('span');
      withInlineCode(words, data.error);
      box.appendChild(words);
      item.appendChild(box);
      if (!item.querySelector('.body').textContent) item.querySelector('.body').hidden = true;
    }
  }
  return ended;
}

async function deleteConversation(id) {
  const response = await api('/api/conversations/' + id, { method: 'DELETE' });
  if (response.ok && id === state.conversationId) { setConversation(null); $('messages').replaceChildren(); }
  await loadConversations();
}

function newConversation() {
  if (state.stream) return;
  setConversation(null);
  $('messages').replaceChildren();
  loadConversations();
  $('input').focus();
}

/** Adds a message to the list; assistant text is rendered as Markdown, user text shown as typed. */
function addMessage(role, text, storedId) {
  const li = document.createElement('li');
  li.className = 'message ' + role;
  if (storedId != null) li.dataset.id = String(storedId);
  const who = document.createElement('span');
  who.className = 'visually-hidden';
  who.textContent = role === 'user' ? 'You said: ' : 'Assistant: ';
  const body = document.createElement('div');
  body.className = 'body';
  if (role === 'user') body.textContent = text;
  else renderMarkdown(body, text);
  const tools = document.createElement('div');
  tools.className = 'tools';
  if (role === 'assistant') tools.append(copyButton(li), regenerateButton(li));
  else tools.append(editButton(li));
  li.append(who, body, tools);
  $('messages').appendChild(li);
  return li;
}

/** Copies a reply's text (as shown, without cards and notes) to the clipboard, and says so. */
function copyButton(li) {
  const copy = iconButton('copy', 'Copy', 'Copy this reply', async () => {
    try {
      await navigator.clipboard.writeText(li.querySelector('.body').innerText.trim());
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Copy failed';
    }
    setTimeout(() => { copy.textContent = 'Copy'; }, 2000);
  });
  return copy;
}

/** Asks for another reply to the message before this one, in its place (shown on the last reply only). */
function regenerateButton(li) {
  return iconButton('regenerate', 'Regenerate', 'Write this reply again', () => {
    const asked = li.previousElementSibling;
    if (asked && asked.classList.contains('user')) resend(asked, asked.querySelector('.body').textContent);
  });
}

/** Edits a message in place; sending it replaces it and everything after it. */
function editButton(li) {
  return iconButton('edit', 'Edit', 'Edit this message and send it again', () => {
    if (state.stream || li.querySelector('.edit-input')) return;
    const body = li.querySelector('.body');
    const input = document.createElement('textarea');
    input.className = 'edit-input';
    input.value = body.textContent;
    input.setAttribute('aria-label', 'Edit your message; Enter sends it again, Escape leaves it as it was');
    const sendIt = iconButton('send-edit', 'Send', 'Send the edited message', () => {
      const text = input.value;
      if (!text.trim()) return;
      leave();
      resend(li, text);
    });
    const cancel = iconButton('cancel-edit', 'Cancel', 'Leave the message as it was', () => leave());
    const actions = document.createElement('div');
    actions.className = 'edit-actions';
    actions.append(cancel, sendIt);
    const form = document.createElement('div');
    form.className = 'editing';
    form.append(input, actions);
    const leave = () => { form.remove(); body.hidden = false; li.classList.remove('editing-message'); };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendIt.click(); }
      else if (e.key === 'Escape') { e.preventDefault(); leave(); }
    });
    body.hidden = true;
    li.classList.add('editing-message');
    li.insertBefore(form, body);
    input.focus();
  });
}

/**
 * The stored id of a user message shown in the list, or null when it is not stored (the first message of a
 * conversation that failed before a word). Messages loaded from the store know theirs; for the ones sent here
 * the stored conversation is asked once, and matched in order (and by text).
 */
async function storedIdOf(li) {
  if (li.dataset.id) return Number(li.dataset.id);
  if (state.conversationId == null) return null;
  const response = await api('/api/conversations/' + state.conversationId);
  if (!response.ok) return null;
  const stored = (await response.json()).messages.filter((m) => m.role === 'user');
  const shown = [...$('messages').querySelectorAll('.message.user')];
  shown.forEach((item, i) => {
    if (stored[i] && stored[i].content === item.querySelector('.body').textContent) item.dataset.id = stored[i].id;
  });
  return li.dataset.id ? Number(li.dataset.id) : null;
}

/**
 * Sends `message` in place of the user message `li` and everything after it: the same message for a regenerated reply
 * (or a Retry), another one for an edit. The server replaces the stored turns once the new reply is stored.
 */
async function resend(li, message) {
  if (state.stream || state.resending) return;
  state.resending = true;
  try {
    const replaceFrom = await storedIdOf(li);
    while (li.nextElementSibling) li.nextElementSibling.remove();
    li.querySelector('.body').textContent = message;
    delete li.dataset.id; // stored anew, under a new id
    speaker.stop();
    reply(message, { replaceFrom });
  } finally {
    state.resending = false;
  }
}

function note(item, text) {
  const n = document.createElement('p');
  n.className = 'note';
  n.textContent = text;
  item.appendChild(n);
}

/** What the page says under a reply that did not end normally, by its stored status. */
const STATUS_NOTES = { cancelled: 'Stopped', failed: 'Broke off',
  truncated: 'Cut short: the model reached its length limit (ask it to go on, or raise num_predict / num_ctx)' };

const ACTION_WORDS = { done: 'Done', failed: 'Failed', refused: 'Refused', cancelled: 'Cancelled',
  expired: 'Expired', unknown: 'No answer' };

/** Nouns for Home Assistant's domains, as a person would name the device. */
const DEVICE_NOUNS = { light: 'light', switch: 'switch', climate: 'air conditioner', cover: 'blind', lock: 'lock',
  media_player: 'player', fan: 'fan', scene: 'scene', script: 'script', alarm_control_panel: 'alarm',
  vacuum: 'vacuum', input_boolean: 'switch' };

/**
 * An action in plain words ("Set the sala air conditioner to 22 °C"), from its Home Assistant call; the raw call
 * stays under Details. Anything it does not know is said as the call itself.
 */
function describeAction(action) {
  const a = action.args || {};
  if (action.tool !== 'homeassistant_call_service' || !a.domain || !a.service) {
    return 'The assistant asked for ' + action.tool;
  }
  const entities = [].concat(a.entity_id || []);
  const place = entities.map((e) => String(e).replace(/^[^.]*\./, '').replace(/_/g, ' ')).join(', ');
  const noun = DEVICE_NOUNS[a.domain] || a.domain.replace(/_/g, ' ');
  const the = place ? 'the ' + place + ' ' + noun : 'the ' + noun;
  const pct = (v) => Math.round(Number(v) * (Number(v) <= 1 ? 100 : 1)) + '%';
  switch (a.service) {
    case 'turn_on':
      if (a.brightness_pct != null) return 'Turn on ' + the + ' at ' + a.brightness_pct + '%';
      if (a.temperature != null) return 'Turn on ' + the + ' at ' + a.temperature + ' °C';
      return 'Turn on ' + the;
    case 'turn_off': return 'Turn off ' + the;
    case 'toggle': return 'Switch ' + the + ' on or off';
    case 'set_temperature': return 'Set ' + the + ' to ' + a.temperature + ' °C';
    case 'set_hvac_mode': return 'Set ' + the + ' to ' + a.hvac_mode;
    case 'lock': return 'Lock ' + the;
    case 'unlock': return 'Unlock ' + the;
    case 'open_cover': return 'Open ' + the;
    case 'close_cover': return 'Close ' + the;
    case 'set_cover_position': return 'Set ' + the + ' to ' + a.position + '% open';
    case 'volume_set': return 'Set ' + the + ' volume to ' + pct(a.volume_level);
    case 'media_play': return 'Play on ' + the;
    case 'media_pause': return 'Pause ' + the;
    default: return a.domain + '.' + a.service + (place ? ' on ' + place : '');
  }
}

/** A card for one action; with a ticket that needs confirmation, Confirm and Cancel buttons. */
function actionCard(action, ticket) {
  const card = document.createElement('div');
  card.className = 'action-card';
  card.setAttribute('role', 'group');
  const title = document.createElement('strong');
  title.textContent = describeAction(action);
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'Details';
  const args = document.createElement('pre');
  args.textContent = action.tool + ' ' + JSON.stringify(action.args, null, 2);
  details.append(summary, args);
  card.append(title, details);
  if (!ticket) {
    // actions.auto=false: the server runs nothing; the reply's words ("Vou ligar…") are only words
    const only = document.createElement('p');
    only.className = 'action-status not-done';
    only.textContent = 'Only a suggestion: this server does not run actions, so nothing was done.';
    card.appendChild(only);
  }
  if (!ticket) return card;
  card.dataset.actionId = ticket.id;
  if (!ticket.needsConfirmation) { // the server runs it now; its result replaces this line
    const running = document.createElement('p');
    running.className = 'action-status pending';
    running.textContent = 'Running…';
    card.appendChild(running);
    return card;
  }
  const ask = document.createElement('p');
  ask.className = 'action-ask';
  ask.textContent = 'Needs your confirmation (until ' + new Date(ticket.confirmBy).toLocaleTimeString() + ').';
  const confirm = document.createElement('button');
  confirm.type = 'button';
  confirm.className = 'confirm';
  confirm.textContent = 'Confirm';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'cancel';
  cancel.textContent = 'Cancel';
  const decide = async (yes) => {
    confirm.disabled = true;
    cancel.disabled = true;
    const result = await decideAction({ token: state.token, id: ticket.id, confirm: yes });
    if (result.code === 'unauthorized') { signIn('This token is not valid (unknown or revoked); sign in with another.'); return; }
    ask.remove();
    confirm.remove();
    cancel.remove();
    showActionResult(card, result.status && result.id ? result : { status: 'failed', message: result.error });
  };
  confirm.addEventListener('click', () => decide(true));
  cancel.addEventListener('click', () => decide(false));
  card.append(ask, confirm, cancel);
  return card;
}

function showActionResult(card, result) {
  card.querySelector('.action-status.pending')?.remove();
  const line = document.createElement('p');
  line.className = 'action-status ' + (result.status === 'done' ? 'ok' : 'not-done');
  line.setAttribute('role', 'status');
  line.textContent = (ACTION_WORDS[result.status] || result.status) + ': ' + result.message;
  card.appendChild(line);
}

function nearEnd() {
  const list = $('messages');
  return list.scrollHeight - list.scrollTop - list.clientHeight < 48;
}

function scrollToEnd(force) {
  const list = $('messages');
  if (force || state.follow) list.scrollTop = list.scrollHeight;
}

function send(message, { again } = {}) {
  if (state.stream || !message.trim()) return;
  if (!again) addMessage('user', message);
  reply(message, {});
}

/**
 * Streams the reply to `message` into a new bubble: a new turn, or (with turnId) one already running, or (with
 * replaceFrom, a stored message's id) one that replaces that message and everything after it.
 */
function reply(message, { turnId, replaceFrom }) {
  const item = addMessage('assistant', '');
  item.classList.add('streaming');
  const body = item.querySelector('.body');
  let text = '';
  let thinking = null;
  state.follow = true;
  busy(true);
  scrollToEnd(true);
  const before = () => { state.follow = nearEnd(); };
  let reopen = false;
  const startedNew = state.conversationId == null && !turnId;
  const stream = streamChat({
    token: state.token,
    message,
    conversationId: state.conversationId,
    turnId,
    replaceFrom: replaceFrom ?? undefined,
    includeThinking: $('show-thinking').checked,
    resumable: true, // a dropped connection picks the reply up where it was; Stop stops it on the server
    phases: true, // say what the reply waits for while nothing shows yet
    speech: speaker.enabled, // the server's speakable segments, for Read aloud
    onSpeech({ text: segment }) { speaker.say(segment); },
    onPhase({ phase }) {
      const says = {
        queued: 'Waiting for a free model…',
        loading_model: 'Loading the model… (a first reply can take a while)',
        thinking: $('show-thinking').checked ? null : 'Thinking…',
      }[phase];
      const note = $('phase');
      note.textContent = says || '';
      note.hidden = !says;
    },
    onOpen(opened) {
      // known from the start, also for a new conversation: Stop, a reload or the next message continue it
      if (opened.conversationId != null && state.conversationId !== opened.conversationId) {
        setConversation(opened.conversationId);
        loadConversations();
      }
    },
    onReconnecting(attempt) {
      let n = item.querySelector('.note.reconnecting');
      if (!n) {
        n = document.createElement('p');
        n.className = 'note reconnecting';
        n.setAttribute('role', 'status');
        item.appendChild(n);
      }
      n.textContent = 'Connection lost; reconnecting… (attempt ' + attempt + ')';
    },
    onChunk(chunk) {
      item.querySelector('.note.reconnecting')?.remove();
      $('phase').hidden = true;
      before();
      text += chunk;
      renderMarkdown(body, text);
      scrollToEnd();
    },
    onThinking(chunk) {
      before();
      if (!thinking) {
        thinking = document.createElement('details');
        thinking.className = 'thinking';
        const summary = document.createElement('summary');
        summary.textContent = 'Thinking';
        const content = document.createElement('div');
        thinking.append(summary, content);
        item.insertBefore(thinking, body);
      }
      thinking.lastChild.textContent += chunk;
      scrollToEnd();
    },
    onAction(action, ticket) {
      before();
      item.appendChild(actionCard(action, ticket));
      scrollToEnd();
    },
    onActionResult(result) {
      const card = item.querySelector('.action-card[data-action-id="' + CSS.escape(result.id) + '"]');
      if (card) showActionResult(card, result);
    },
    onActionError(error) { note(item, 'The model asked for an action that could not be read: ' + error.error); },
    onDone(done) {
      item.querySelector('.note.reconnecting')?.remove();
      if (done.done_reason === 'length') note(item, STATUS_NOTES.truncated);
      if (done.conversation_id != null) setConversation(done.conversation_id);
    },
    onError(error) {
      item.querySelector('.note.reconnecting')?.remove();
      speaker.stop();
      if (error.conversationId != null) setConversation(error.conversationId);
      else if (startedNew) setConversation(null); // a first turn that failed before a word is not kept
      if (error.code === 'unauthorized') { signIn('This token is not valid (unknown or revoked); sign in with another.'); return; }
      const box = document.createElement('div');
      box.className = 'error';
      box.setAttribute('role', 'alert');
      const words = document.createElement('span');
      withInlineCode(words, error.error + (error.retryAfter ? ' (retry after ' + error.retryAfter + ' s)' : ''));
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.textContent = 'Retry';
      retry.addEventListener('click', () => {
        // the same message again, in place of the failed turn when that was stored
        const asked = item.previousElementSibling;
        if (asked && asked.classList.contains('user')) resend(asked, message);
        else { item.remove(); send(message, { again: true }); }
      });
      if (turnId && error.code === 'turn_not_found') { reopen = true; return; } // it ended meanwhile: stored
      box.append(words, retry);
      item.appendChild(box);
      if (!text) body.hidden = true;
      scrollToEnd();
    },
  });
  state.stream = stream;
  stream.finished.then(async (outcome) => {
    state.stream = null;
    item.classList.remove('streaming');
    busy(false);
    if (outcome === 'aborted') {
      speaker.stop();
      note(item, 'Stopped');
    }
    if (reopen) { // the turn this page attached to ended and is no longer kept: show it as stored
      await openConversation(state.conversationId);
      return;
    }
    await loadConversations();
    $('input').focus();
  });
}

function busy(on) {
  $('messages').classList.toggle('busy', on); // no editing or regenerating while a reply streams
  $('typing').hidden = !on;
  if (!on) $('phase').hidden = true;
  $('stop').hidden = !on;
  $('send').hidden = on;
  $('send').disabled = on;
}

function stop() {
  if (state.stream) state.stream.abort();
}

function toggleList(open) {
  const sidebar = $('sidebar');
  const show = open ?? !sidebar.classList.contains('open');
  sidebar.classList.toggle('open', show);
  $('toggle-list').setAttribute('aria-expanded', String(show));
}

function wire() {
  $('sign-in-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token-input').value.trim();
    $('token-input').value = '';
    if (token) start(token).catch(() => {}); // a refused token already brought the form back with the reason
  });
  $('sign-out').addEventListener('click', () => { stop(); setConversation(null); signIn('Signed out.'); });
  $('new-conversation').addEventListener('click', newConversation);
  $('search').addEventListener('input', filterConversations);
  $('toggle-list').addEventListener('click', () => toggleList());
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const message = $('input').value;
    if (!message.trim() || state.stream) return;
    $('input').value = '';
    send(message);
  });
  $('input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('composer').requestSubmit();
    } else if (e.key === 'Escape') {
      stop();
    }
  });
  $('stop').addEventListener('click', stop);
  $('backdrop').addEventListener('click', () => toggleList(false));
  for (const b of document.querySelectorAll('.suggestion')) {
    b.addEventListener('click', () => { if (!state.stream) send(b.textContent); });
  }
  // the empty page greets and says whether the model is ready; the first message replaces it
  const emptyState = () => {
    const empty = $('messages').children.length === 0;
    $('welcome').hidden = !empty;
    $('messages').hidden = empty;
  };
  new MutationObserver(emptyState).observe($('messages'), { childList: true });
  emptyState();
  // a phone-width composer gets a placeholder that fits on its one line
  const narrow = window.matchMedia('(max-width: 640px)');
  const placeholder = () => {
    $('input').placeholder = narrow.matches ? 'Message' : 'Write a message — Enter sends, Shift+Enter is a new line';
  };
  narrow.addEventListener('change', placeholder);
  placeholder();
  $('messages').addEventListener('scroll', () => { state.follow = nearEnd(); });
  $('show-thinking').checked = localStorage.getItem('chatstream.thinking') === 'on';
  $('show-thinking').addEventListener('change', (e) => localStorage.setItem('chatstream.thinking', e.target.checked ? 'on' : 'off'));
  $('read-aloud').checked = localStorage.getItem('chatstream.speak') === 'on';
  $('read-aloud').addEventListener('change', (e) => {
    localStorage.setItem('chatstream.speak', e.target.checked ? 'on' : 'off');
    if (!e.target.checked) speaker.stop();
  });
}

/** Who a token signs in as, without using it for anything else; null when it signs in as nobody. */
async function whoIs(token) {
  try {
    const r = await fetch('/api/me', { cache: 'no-store', headers: { 'Authorization': 'Bearer ' + token } });
    return r.ok ? (await r.json()).user : null;
  } catch (e) {
    return null;
  }
}

/**
 * A link with another account's token must not silently sign this browser into it (someone could send one to make
 * you talk, and act, in their account): stay signed in, and ask.
 */
async function askToSwitch(current, fromLink) {
  const [now, offered] = await Promise.all([whoIs(current), whoIs(fromLink)]);
  if (offered === null || offered === now) {
    return;
  }
  $('switch-text').textContent = 'This link signs in as ' + offered + '. You are signed in as ' + now
    + '. Switch to ' + offered + '?';
  $('switch-account').hidden = false;
  $('switch-yes').onclick = () => { $('switch-account').hidden = true; start(fromLink).catch(() => {}); };
  $('switch-no').onclick = () => { $('switch-account').hidden = true; };
}

function main() {
  wire();
  // A link like /#token=cs_... signs in: the fragment never leaves the browser; remove it from the address bar.
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromLink) history.replaceState(null, '', location.pathname + location.search);
  const stored = localStorage.getItem(TOKEN);
  if (stored && fromLink && fromLink !== stored) {
    start(stored).then(() => askToSwitch(stored, fromLink)).catch(() => {});
    return;
  }
  const token = fromLink || stored;
  if (token) start(token).catch(() => {});
  else signIn();
}

main();
