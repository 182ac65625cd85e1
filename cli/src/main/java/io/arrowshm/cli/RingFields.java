package io.arrowshm.cli;

import io.arrowshm.CursorInfo;
import io.arrowshm.RingInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code list}, {@code stat} and {@code watch} report about a ring: its header, where the
 * writer is, and each cursor (name, position, lag, pid, liveness, whether it holds the writer
 * back). One map serves both the JSON and the text forms.
 */
public final class RingFields {
    private RingFields() {
    }

    public static Map<String, Object> of(RingInfo info) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", info.name());
        fields.put("kind", "ring");
        fields.put("shape", info.shape());
        fields.put("dtype", info.dtype().numpyName());
        fields.put("slot_size", info.slotSize());
        fields.put("capacity", info.capacity());
        fields.put("overflow", info.overflow().name());
        fields.put("max_cursors", info.maxCursors());
        fields.put("write_position", info.writePosition());
        fields.put("oldest_position", info.oldestPosition());
        fields.put("writer_pid", info.writerPid() == 0 ? null : info.writerPid());
        fields.put("writer_alive", info.writerAlive());
        fields.put("instance_id", info.instanceId());
        fields.put("creator_pid", info.creatorPid());
        fields.put("creator_alive", info.creatorAlive());
        List<Map<String, Object>> cursors = new ArrayList<>();
        for (CursorInfo cursor : info.cursors()) {
            cursors.add(cursor(cursor));
        }
        fields.put("cursors", cursors);
        return fields;
    }

    static Map<String, Object> cursor(CursorInfo cursor) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", cursor.name());
        fields.put("position", cursor.position());
        fields.put("lag", cursor.lag());
        fields.put("pid", cursor.pid().orElse(null));
        fields.put("live", cursor.live());
        fields.put("blocking", cursor.blocking());
        fields.put("untethered", cursor.untethered());
        fields.put("grace_s", cursor.graceNanos() / 1e9);
        return fields;
    }

    /** The cursors as a table: NAME POSITION LAG READER HOLDS-WRITER. */
    static TextTable cursorTable(RingInfo info) {
        TextTable table = new TextTable("CURSOR", "POSITION", "LAG", "READER", "HOLDS WRITER");
        for (CursorInfo cursor : info.cursors()) {
            table.row(cursor.name(), Long.toString(cursor.position()), Long.toString(cursor.lag()),
                    cursor.pid().map(pid -> pid + (cursor.live() ? " live" : " gone")).orElse(cursor.live() ? "live" : "-"),
                    holds(cursor, info));
        }
        return table;
    }

    private static String holds(CursorInfo cursor, RingInfo info) {
        if (info.overflow() != io.arrowshm.Overflow.BLOCK || !cursor.blocking()) {
            return "no";
        }
        if (cursor.untethered()) {
            return "no (untethered)";
        }
        return cursor.live() ? "yes" : "yes (grace " + Units.seconds(cursor.graceNanos() / 1e9) + ")";
    }

    /** The short description of the {@code list} table's FLAGS column. */
    static String flags(RingInfo info) {
        return "ring," + info.capacity() + " slots," + info.overflow().name().toLowerCase(java.util.Locale.ROOT) + ","
                + info.cursors().size() + " cursor" + (info.cursors().size() == 1 ? "" : "s");
    }
}
