// Types of use-chat-stream.js (the React hook). Copy beside it.

export interface ChatStreamMessage {
  role: 'user' | 'assistant';
  content: string;
  /** For an assistant message: how its reply ended. */
  outcome?: 'done' | 'error' | 'aborted';
}

export interface ChatStreamError {
  /** chatstream's code: llm_unavailable, model_not_found, rate_limited, network, stream_cut... (docs/api.md) */
  code: string;
  /** For people. */
  error: string;
  /** The HTTP status of a refusal before the stream. */
  status?: number;
  retryAfter?: number;
  conversationId?: number;
}

export interface ChatStreamAction {
  tool: string;
  args: Record<string, unknown>;
  /** With actions.auto on the server: the action's id, and whether it waits for the user. */
  ticket: { id: string; needsConfirmation: boolean; confirmBy?: string } | null;
  result: { id: string; status: 'done' | 'failed' | 'refused' | 'cancelled'; message: string } | null;
}

export interface UseChatStreamOptions {
  /** A chatstream API token. */
  token: string;
  /** The server's origin when it is not the page's, e.g. "https://chat.example.org" (add it to cors.origins). */
  base?: string;
  /** Continue this stored conversation. */
  conversationId?: number | null;
  includeThinking?: boolean;
}

export interface UseChatStream {
  /** Sends a message (nothing while a reply streams); resolves to how the reply ended. */
  sendMessage(content: string): Promise<'done' | 'error' | 'aborted'> | null;
  messages: ChatStreamMessage[];
  isStreaming: boolean;
  error: ChatStreamError | null;
  /** The last action the model asked for in the current reply. */
  action: ChatStreamAction | null;
  /** Stops the reply: the server stops the model and keeps what was shown. */
  cancelStream(): void;
  currentStreamingMessage: string;
  /** The stored conversation, known from the first reply's start. */
  conversationId: number | null;
  confirmAction(): Promise<unknown>;
  cancelAction(): Promise<unknown>;
}

export function useChatStream(options: UseChatStreamOptions): UseChatStream;
