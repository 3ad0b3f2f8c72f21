package dev.chatstream.store;

import dev.chatstream.core.Device;
import dev.chatstream.core.HomeContext;
import dev.chatstream.core.HomeContextStore;
import dev.chatstream.core.UserId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Each user's home in the {@code devices} and {@code device_aliases} tables, in the user's order. A
 * replacement is one transaction: readers see the old home or the new one, never a mix.
 */
final class JdbcHomeContextStore implements HomeContextStore {
    private final Db db;

    JdbcHomeContextStore(Db db) {
        this.db = db;
    }

    @Override
    public HomeContext homeContext(UserId user) {
        Objects.requireNonNull(user, "user");
        return db.read("read the home context", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT d.id, d.entity_id, d.name, d.area, a.alias"
                    + " FROM devices d JOIN users u ON u.id = d.user_id"
                    + " LEFT JOIN device_aliases a ON a.device_id = d.id"
                    + " WHERE u.name = ? ORDER BY d.position, a.position")) {
                s.setString(1, user.value());
                record Row(String entityId, String name, String area, List<String> aliases) {
                }
                Map<Long, Row> rows = new LinkedHashMap<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        Row row = rows.get(r.getLong(1));
                        if (row == null) {
                            row = new Row(r.getString(2), r.getString(3), r.getString(4), new ArrayList<>());
                            rows.put(r.getLong(1), row);
                        }
                        String alias = r.getString(5);
                        if (alias != null) {
                            row.aliases().add(alias);
                        }
                    }
                }
                if (rows.isEmpty()) {
                    return HomeContext.empty();
                }
                return new HomeContext(rows.values().stream()
                        .map(row -> new Device(row.entityId(), row.name(), row.area(), row.aliases())).toList());
            }
        });
    }

    @Override
    public void replaceHomeContext(UserId user, HomeContext home) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(home, "home");
        db.write("store the home context", c -> {
            long userId = db.ensureUser(c, user);
            try (PreparedStatement s = c.prepareStatement("DELETE FROM device_aliases WHERE device_id IN"
                    + " (SELECT id FROM devices WHERE user_id = ?)")) {
                s.setLong(1, userId);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM devices WHERE user_id = ?")) {
                s.setLong(1, userId);
                s.executeUpdate();
            }
            int position = 0;
            for (Device device : home.devices()) {
                long deviceId;
                try (PreparedStatement s = c.prepareStatement("INSERT INTO devices"
                        + " (user_id, position, entity_id, name, area) VALUES (?, ?, ?, ?, ?) RETURNING id")) {
                    s.setLong(1, userId);
                    s.setInt(2, position++);
                    s.setString(3, device.entityId());
                    s.setString(4, device.name());
                    s.setString(5, device.area());
                    deviceId = Db.insertReturningId(s);
                }
                if (!device.aliases().isEmpty()) {
                    try (PreparedStatement s = c.prepareStatement(
                            "INSERT INTO device_aliases (device_id, position, alias) VALUES (?, ?, ?)")) {
                        int aliasPosition = 0;
                        for (String alias : device.aliases()) {
                            s.setLong(1, deviceId);
                            s.setInt(2, aliasPosition++);
                            s.setString(3, alias);
                            s.addBatch();
                        }
                        s.executeBatch();
                    }
                }
            }
            return null;
        });
    }
}
