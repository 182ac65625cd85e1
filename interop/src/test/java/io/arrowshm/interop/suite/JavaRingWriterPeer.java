package io.arrowshm.interop.suite;

import io.arrowshm.Ring;
import io.arrowshm.RingWriter;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A child JVM that writes a ring, for the tests that kill a Java writer under Python readers:
 * {@code write-forever NAME KIND} prints "ready P" and writes {@link RingInteropFrames} until it is
 * killed; {@code write NAME COUNT KIND} writes COUNT frames and prints "ok next=N".
 */
public final class JavaRingWriterPeer {
    private JavaRingWriterPeer() {
    }

    public static void main(String[] args) {
        String command = args[0];
        try (Ring ring = Ring.open(args[1]); RingWriter writer = ring.writer(Duration.ofSeconds(30))) {
            RingInteropFrames.Kind kind = RingInteropFrames.Kind.valueOf(args[args.length - 1].toUpperCase(java.util.Locale.ROOT));
            RingInteropFrames frames = new RingInteropFrames(kind, ring.dtype(), ring.size());
            System.out.println("ready " + writer.position());
            long count = command.equals("write") ? Long.parseLong(args[2]) : Long.MAX_VALUE;
            for (long k = 0; k < count; k++) {
                long p = writer.position();
                ByteBuffer frame = frames.frame(p);
                writer.write(frame, p, Duration.ofSeconds(60));
            }
            System.out.println("ok next=" + writer.position());
        }
    }
}
