package io.arrowshm.flight;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Flight Java's wire message, {@code org.apache.arrow.flight.ArrowMessage}, as gRPC hands it to an
 * interceptor: the class is package-private, so its public accessors are reached by reflection,
 * looked up once when this class loads (a Flight version without them fails loudly there, not on
 * a call). What the batch gates need: its kind, its schema, its record batch, closing it.
 */
final class ArrowMessages {
    /** What a message carries, as Flight's {@code ArrowMessage.HeaderType} names it. */
    enum Kind { NONE, SCHEMA, DICTIONARY_BATCH, RECORD_BATCH, OTHER }

    private static final Class<?> TYPE;
    private static final Method MESSAGE_TYPE;
    private static final Method AS_SCHEMA;
    private static final Method AS_RECORD_BATCH;
    private static final Method CLOSE;

    static {
        try {
            TYPE = Class.forName("org.apache.arrow.flight.ArrowMessage");
            MESSAGE_TYPE = accessible(TYPE.getMethod("getMessageType"));
            AS_SCHEMA = accessible(TYPE.getMethod("asSchema"));
            AS_RECORD_BATCH = accessible(TYPE.getMethod("asRecordBatch"));
            CLOSE = accessible(TYPE.getMethod("close"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("this Flight Java has no ArrowMessage accessors arrow-shm knows: " + e);
        }
    }

    private ArrowMessages() {
    }

    static boolean isMessage(Object message) {
        return TYPE.isInstance(message);
    }

    static Kind kind(Object message) {
        String name = ((Enum<?>) invoke(MESSAGE_TYPE, message)).name();
        switch (name) {
            case "NONE": return Kind.NONE;
            case "SCHEMA": return Kind.SCHEMA;
            case "DICTIONARY_BATCH": return Kind.DICTIONARY_BATCH;
            case "RECORD_BATCH": return Kind.RECORD_BATCH;
            default: return Kind.OTHER;
        }
    }

    static Schema schema(Object message) {
        return (Schema) invoke(AS_SCHEMA, message);
    }

    /** The message's record batch over its body (the caller closes it; the message keeps its own references). */
    static ArrowRecordBatch recordBatch(Object message) {
        return (ArrowRecordBatch) invoke(AS_RECORD_BATCH, message);
    }

    /** Frees a message that is not passed on. */
    static void close(Object message) {
        if (isMessage(message)) {
            try {
                invoke(CLOSE, message);
            } catch (RuntimeException ignored) {
                // already released: nothing more to free
            }
        }
    }

    private static Method accessible(Method method) {
        method.setAccessible(true);
        return method;
    }

    private static Object invoke(Method method, Object message) {
        try {
            return method.invoke(message);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalArgumentException(cause.getMessage(), cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
