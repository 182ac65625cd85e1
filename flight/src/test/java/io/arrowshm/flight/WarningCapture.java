package io.arrowshm.flight;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every java.util.logging record at WARNING or above, from any logger (gRPC's, Netty's, Arrow's
 * allocator), while it is open: a buffer released twice or a write that failed shows up here even
 * when it happens on a thread the test never sees.
 */
final class WarningCapture implements AutoCloseable {
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    WarningCapture() {
        root.addHandler(handler);
    }

    boolean isEmpty() {
        return warnings.isEmpty();
    }

    /** The records so far, one line each, for a failure message. */
    String describe() {
        return warnings.stream().map(r -> r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown()).toList()
                .toString();
    }

    @Override
    public void close() {
        root.removeHandler(handler);
    }
}
