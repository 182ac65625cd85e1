package io.arrowshm.flight;

import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * gRPC's netty server logs {@code WARNING: Stream Error ... Stream closed before write could take
 * place} through java.util.logging when a client cancels a call while a row is on its way: the
 * client's reset and the server's write race, and no check before the write can close that race
 * (the cancel may arrive a microsecond after it). For a live feed, a client hanging up is the
 * normal end of a {@code DoGet}, so that one record is dropped by a filter on that one logger.
 * An application that configured the logger itself (a level, a filter, or a level in the
 * logging properties) is left alone, and every other record of gRPC's still goes through.
 */
final class GrpcCancelNoise {
    static final String LOGGER_NAME = "io.grpc.netty.NettyServerHandler";
    /** Held here: java.util.logging keeps loggers weakly, and a collected logger forgets its filter. */
    private static final Logger LOGGER = Logger.getLogger(LOGGER_NAME);

    private GrpcCancelNoise() {
    }

    /** Installs the filter once, unless the logger was configured by the application. */
    static synchronized void quiet() {
        if (LOGGER.getFilter() != null || LOGGER.getLevel() != null
                || LogManager.getLogManager().getProperty(LOGGER_NAME + ".level") != null) {
            return;
        }
        LOGGER.setFilter(record -> !routineCancel(record));
    }

    /** The record a cancelled call's last write produces, and nothing else. */
    static boolean routineCancel(LogRecord record) {
        Throwable thrown = record.getThrown();
        return "Stream Error".equals(record.getMessage()) && thrown != null
                && String.valueOf(thrown.getMessage()).contains("Stream closed before write could take place");
    }
}
