package dev.chatstream.store;

import dev.chatstream.core.ChatEvent;
import dev.chatstream.core.Conversation;
import dev.chatstream.core.ConversationNotFoundException;
import dev.chatstream.core.ConversationStore;
import dev.chatstream.core.MessageStatus;
import dev.chatstream.core.Reply;
import dev.chatstream.core.Role;
import dev.chatstream.core.SseCodec;
import dev.chatstream.core.SseReader;
import dev.chatstream.core.StoredMessage;
import dev.chatstream.core.UserId;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Conversations and their messages in the {@code conversations} and {@code messages} tables. A turn is one
 * transaction: the conversation (found or created), the user's message, the reply, the new update time.
 */
final class JdbcConversationStore implements ConversationStore {
    private static final String OWNED = "SELECT c.id FROM conversations c JOIN users u ON u.id = c.user_id"
            + " WHERE c.id = ? AND u.name = ?";

    private final Db db;

    JdbcConversationStore(Db db) {
        this.db = db;
    }

    @Override
    public List<Conversation> conversations(UserId user) {
        Objects.requireNonNull(user, "user");
        return db.read("read the conversations", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT c.id, c.title, c.created_at, c.updated_at"
                    + " FROM conversations c JOIN users u ON u.id = c.user_id WHERE u.name = ?"
                    + " ORDER BY (c.last_message_id = 0) DESC, c.last_message_id DESC, c.id DESC")) {
                s.setString(1, user.value());
                List<Conversation> list = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        list.add(new Conversation(r.getLong(1), r.getString(2), Db.instant(r.getLong(3)),
                                Db.instant(r.getLong(4))));
                    }
                }
                return list;
            }
        });
    }

    @Override
    public Optional<List<StoredMessage>> messages(UserId user, long conversationId) {
        Objects.requireNonNull(user, "user");
        return db.read("read the conversation", c -> {
            if (!owned(c, user, conversationId)) {
                return Optional.empty();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT id, role, content, status, created_at, events"
                    + " FROM messages WHERE conversation_id = ? ORDER BY id")) {
                s.setLong(1, conversationId);
                List<StoredMessage> list = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        list.add(new StoredMessage(r.getLong(1), Role.fromWireName(r.getString(2)).orElseThrow(),
                                r.getString(3), MessageStatus.fromWireName(r.getString(4)), Db.instant(r.getLong(5)),
                                events(r.getString(6))));
                    }
                }
                return Optional.of(list);
            }
        });
    }

    @Override
    public long saveTurn(UserId user, OptionalLong conversationId, String message, Reply reply) {
        Objects.requireNonNull(conversationId, "conversationId");
        return store(user, conversationId, OptionalLong.empty(), message, reply);
    }

    @Override
    public long replaceTurns(UserId user, long conversationId, long fromMessageId, String message, Reply reply) {
        return store(user, OptionalLong.of(conversationId), OptionalLong.of(fromMessageId), message, reply);
    }

    /** One turn in one transaction, in place of the messages from {@code replaceFrom} on when it is given. */
    private long store(UserId user, OptionalLong conversationId, OptionalLong replaceFrom, String message,
            Reply reply) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(reply, "reply");
        return db.write("save the conversation", c -> {
            long now = db.now();
            long id;
            if (conversationId.isPresent()) {
                id = conversationId.getAsLong();
                if (!owned(c, user, id)) {
                    throw new ConversationNotFoundException(id);
                }
            } else {
                id = insertConversation(c, user, message, now);
            }
            if (replaceFrom.isPresent()) {
                try (PreparedStatement s = c.prepareStatement(
                        "DELETE FROM messages WHERE conversation_id = ? AND id >= ?")) {
                    s.setLong(1, id);
                    s.setLong(2, replaceFrom.getAsLong());
                    s.executeUpdate();
                }
            }
            insertMessage(c, id, Role.USER, message, MessageStatus.COMPLETE, now, List.of());
            long last = insertMessage(c, id, Role.ASSISTANT, reply.text(), reply.status(), now, reply.events());
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE conversations SET updated_at = ?, last_message_id = ? WHERE id = ?")) {
                s.setLong(1, now);
                s.setLong(2, last);
                s.setLong(3, id);
                s.executeUpdate();
            }
            return id;
        });
    }

    @Override
    public long startConversation(UserId user, String firstMessage) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(firstMessage, "firstMessage");
        return db.write("start the conversation", c -> insertConversation(c, user, firstMessage, db.now()));
    }

    private long insertConversation(Connection c, UserId user, String firstMessage, long now) throws SQLException {
        long userId = db.ensureUser(c, user);
        try (PreparedStatement s = c.prepareStatement("INSERT INTO conversations"
                + " (user_id, title, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id")) {
            s.setLong(1, userId);
            s.setString(2, Conversation.titleFor(firstMessage));
            s.setLong(3, now);
            s.setLong(4, now);
            return Db.insertReturningId(s);
        }
    }

    private static long insertMessage(Connection c, long conversationId, Role role, String content,
            MessageStatus status, long now, List<ChatEvent> events) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO messages (conversation_id, role, content, status,"
                + " created_at, events) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
            s.setLong(1, conversationId);
            s.setString(2, role.wireName());
            s.setString(3, content);
            s.setString(4, status.wireName());
            s.setLong(5, now);
            s.setString(6, sse(events));
            return Db.insertReturningId(s);
        }
    }

    /** A reply's events as the Server-Sent Events the client got (the wire format, pinned by its golden files). */
    private static String sse(List<ChatEvent> events) {
        StringBuilder out = new StringBuilder();
        long seq = 0;
        for (ChatEvent e : events) {
            out.append(new String(SseCodec.encode(++seq, e, ""), StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    /** The events {@link #sse} wrote; an event this version cannot read is skipped. */
    private static List<ChatEvent> events(String sse) {
        if (sse == null || sse.isEmpty()) {
            return List.of();
        }
        List<ChatEvent> out = new ArrayList<>();
        new SseReader((name, id, data) -> {
            try {
                SseCodec.decode(name, data).ifPresent(out::add);
            } catch (RuntimeException unreadable) {
                // written by another version: the text of the message still stands
            }
        }).feed(java.nio.ByteBuffer.wrap(sse.getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    @Override
    public boolean delete(UserId user, long conversationId) {
        Objects.requireNonNull(user, "user");
        return db.write("delete the conversation", c -> {
            if (!owned(c, user, conversationId)) {
                return false;
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM messages WHERE conversation_id = ?")) {
                s.setLong(1, conversationId);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM conversations WHERE id = ?")) {
                s.setLong(1, conversationId);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean rename(UserId user, long conversationId, String title) {
        Objects.requireNonNull(user, "user");
        String clean = Conversation.titleFor(Objects.requireNonNull(title, "title"));
        return db.write("rename the conversation", c -> {
            if (!owned(c, user, conversationId)) {
                return false;
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE conversations SET title = ? WHERE id = ?")) {
                s.setString(1, clean);
                s.setLong(2, conversationId);
                return s.executeUpdate() == 1;
            }
        });
    }

    private static boolean owned(Connection c, UserId user, long conversationId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(OWNED)) {
            s.setLong(1, conversationId);
            s.setString(2, user.value());
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }
}
