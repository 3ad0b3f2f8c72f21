package dev.chatstream.redis;

import dev.chatstream.core.Action;
import dev.chatstream.core.ActionTickets;
import dev.chatstream.core.ErrorCode;
import dev.chatstream.core.TransientException;
import dev.chatstream.core.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@link ActionTickets} in Redis, so an action held by one node can be confirmed or cancelled through any node, once:
 * each step is one Lua script, so of two confirms at the same moment on two nodes one gets the action. A ticket is a
 * hash ({@code <prefix>:action:<id>}: user, action, deadline, state) that Redis forgets after its keeping time (the
 * deadlines are the dispatcher's clock, compared in the scripts; only the forgetting is Redis's); the
 * waiting ones are also in sorted sets by deadline (per user and in all) for the caps. When Redis cannot be reached,
 * nothing waits anywhere: holding or taking a ticket fails with {@link ErrorCode#SHARED_STATE_UNAVAILABLE} (an action
 * that needs confirmation is then refused, and nothing runs). Thread-safe.
 */
public final class RedisActionTickets implements ActionTickets {
    private static final String HOLD = """
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
            redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[4])
            if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 1 end
            if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[6]) then return 2 end
            redis.call('HSET', KEYS[1], 'user', ARGV[1], 'action', ARGV[2], 'by', ARGV[3], 'state', 'waiting')
            redis.call('PEXPIRE', KEYS[1], ARGV[7])
            redis.call('ZADD', KEYS[2], ARGV[3], ARGV[8])
            redis.call('ZADD', KEYS[3], ARGV[3], ARGV[8])
            redis.call('PEXPIRE', KEYS[2], ARGV[7])
            redis.call('PEXPIRE', KEYS[3], ARGV[7])
            return 0
            """;
    private static final String TAKE = """
            local h = redis.call('HMGET', KEYS[1], 'user', 'action', 'by', 'state')
            if not h[1] or h[1] ~= ARGV[1] then return {'missing'} end
            if h[4] == 'decided' then return {'decided'} end
            if h[4] == 'expired' then return {'expired', h[2], h[3], '0'} end
            redis.call('ZREM', KEYS[2], ARGV[3])
            redis.call('ZREM', KEYS[3], ARGV[3])
            if tonumber(ARGV[2]) > tonumber(h[3]) then
              redis.call('HSET', KEYS[1], 'state', 'expired')
              return {'expired', h[2], h[3], '1'}
            end
            redis.call('HSET', KEYS[1], 'state', 'decided')
            return {'got', h[2], h[3]}
            """;

    private final Redis redis;
    private final String prefix;

    /**
     * @param redis  the connections
     * @param prefix what every key starts with ({@code redis.prefix})
     */
    public RedisActionTickets(Redis redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    @Override
    public Optional<Full> hold(String id, UserId user, Action action, Instant confirmBy, Instant keepUntil,
            Instant now, int maxTotal, int maxPerUser) {
        long answer = ((Number) eval(HOLD, List.of(key(id), allKey(), userKey(user)), List.of(user.value(),
                action.toJson(), Long.toString(confirmBy.toEpochMilli()), Long.toString(now.toEpochMilli()),
                Integer.toString(maxTotal), Integer.toString(maxPerUser),
                // kept for as long as the dispatcher's clock says, counted by Redis from now
                Long.toString(Math.max(1, java.time.Duration.between(now, keepUntil).toMillis())), id)))
                .longValue();
        return answer == 1 ? Optional.of(Full.SERVICE) : answer == 2 ? Optional.of(Full.USER) : Optional.empty();
    }

    @Override
    public Taken take(UserId user, String id, Instant now) {
        List<?> answer = (List<?>) eval(TAKE, List.of(key(id), allKey(), userKey(user)), List.of(user.value(),
                Long.toString(now.toEpochMilli()), id));
        String kind = (String) answer.get(0);
        return switch (kind) {
            case "got" -> new Taken.Got(Action.parse((String) answer.get(1)), at(answer.get(2)));
            case "expired" -> new Taken.Expired(Action.parse((String) answer.get(1)), at(answer.get(2)),
                    "1".equals(answer.get(3)));
            case "decided" -> new Taken.Decided();
            default -> new Taken.Missing();
        };
    }

    @Override
    public int waiting(Instant now) {
        return (int) (long) call(() -> redis.call(j -> j.zcount(allKey(), Long.toString(now.toEpochMilli() + 1),
                "+inf")));
    }

    private static Instant at(Object millis) {
        return Instant.ofEpochMilli(Long.parseLong((String) millis));
    }

    private String key(String id) {
        return prefix + ":action:" + id;
    }

    private String allKey() {
        return prefix + ":actions:all";
    }

    private String userKey(UserId user) {
        return prefix + ":actions:user:" + user.value();
    }

    private Object eval(String script, List<String> keys, List<String> args) {
        return call(() -> redis.call(j -> j.eval(script, keys, args)));
    }

    private <T> T call(java.util.function.Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisException e) {
            throw new TransientException(ErrorCode.SHARED_STATE_UNAVAILABLE, "Redis at " + redis.url()
                    + ", which keeps the actions waiting for confirmation, cannot be reached; try again in a moment", e);
        }
    }
}
