// useChatStream: the React hook of the system chatstream replaces, with the same shape (sendMessage, messages,
// isStreaming, error, action, cancelStream, currentStreamingMessage), on chatstream's own client. Copy this file,
// chat-stream-client.js and use-chat-stream.d.ts (all served under /static/) into your app, or import them from
// there. Tested in the build with React from npm (ReactHookIT). docs/web.md says how to use it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { streamChat, decideAction } from './chat-stream-client.js';

export function useChatStream({ token, base = '', conversationId: initialConversation = null, includeThinking = false }) {
  const [messages, setMessages] = useState([]);
  const [currentStreamingMessage, setCurrent] = useState('');
  const [isStreaming, setStreaming] = useState(false);
  const [error, setError] = useState(null);
  const [action, setAction] = useState(null);
  const [conversationId, setConversationId] = useState(initialConversation);
  const conversation = useRef(initialConversation);
  const stream = useRef(null);

  // A component that goes away stops its reply (the server stops the model for it).
  useEffect(() => () => stream.current?.abort(), []);

  const remember = useCallback((id) => {
    if (id != null) {
      conversation.current = id;
      setConversationId(id);
    }
  }, []);

  const sendMessage = useCallback((content) => {
    if (stream.current || !content || !content.trim()) return null;
    setMessages((m) => [...m, { role: 'user', content }]);
    setError(null);
    setAction(null);
    setCurrent('');
    setStreaming(true);
    let text = '';
    const started = streamChat({
      token,
      base,
      url: base + '/api/chat/stream/',
      message: content,
      conversationId: conversation.current,
      includeThinking,
      // resumable: the turn knows its conversation from its start (so a Stop of a new conversation's first reply
      // keeps one conversation), a dropped connection is picked up again, and cancelStream stops the model
      resumable: true,
      onOpen: ({ conversationId: id }) => remember(id),
      onChunk: (chunk) => { text += chunk; setCurrent(text); },
      onFinalText: (finalText) => { text = finalText; },
      onAction: (asked, ticket) => setAction({ ...asked, ticket: ticket ?? null, result: null }),
      onActionResult: (result) => setAction((a) => (a && a.ticket && a.ticket.id === result.id ? { ...a, result } : a)),
      onDone: (done) => remember(done.conversation_id),
      onError: (e) => { setError(e); remember(e.conversationId); },
    });
    stream.current = started;
    return started.finished.then((outcome) => {
      // what the user saw stays, also of a stopped or failed reply (the server keeps it the same way)
      if (text) setMessages((m) => [...m, { role: 'assistant', content: text, outcome }]);
      setCurrent('');
      setStreaming(false);
      stream.current = null;
      return outcome;
    });
  }, [token, base, includeThinking, remember]);

  const cancelStream = useCallback(() => stream.current?.abort(), []);

  const decide = useCallback(async (confirm) => {
    const ticket = action?.ticket;
    if (!ticket) return null;
    const result = await decideAction({ token, base, id: ticket.id, confirm });
    if (result && result.status) setAction((a) => (a && a.ticket && a.ticket.id === ticket.id ? { ...a, result } : a));
    return result;
  }, [token, base, action]);

  return {
    sendMessage, messages, isStreaming, error, action, cancelStream, currentStreamingMessage,
    conversationId,
    confirmAction: () => decide(true),
    cancelAction: () => decide(false),
  };
}
