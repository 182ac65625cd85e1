package io.arrowshm.testing;

import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingFrame;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.internal.ring.RingHooks;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The Java side of multi-process ring tests, run in a child JVM by {@link PeerProcess#java}.
 * Frames are {@link RingFrames}' self-checking pattern with frame id = position. It answers on
 * stdout, one line per fact.
 */
public final class RingPeer {
    private RingPeer() {
    }

    public static void main(String[] args) throws Exception {
        String command = args[0];
        String name = args[1];
        switch (command) {
            case "create": { // NAME DTYPE CAPACITY BLOCK|OVERWRITE DIM...
                long[] shape = Arrays.stream(args, 5, args.length).mapToLong(Long::parseLong).toArray();
                RingOptions options = RingOptions.of(DType.fromNumpyName(args[2]), shape)
                        .capacity(Long.parseLong(args[3])).overflow(Overflow.valueOf(args[4]));
                Ring.create(name, options).close();
                System.out.println("created");
                break;
            }
            case "write": { // NAME COUNT PACE_MICROS: COUNT frames, optionally paced
                try (Ring ring = Ring.open(name); RingWriter writer = ring.writer(Duration.ofSeconds(30))) {
                    byte[] frame = new byte[Math.toIntExact(ring.size())];
                    long count = Long.parseLong(args[2]);
                    long pace = Long.parseLong(args[3]) * 1000;
                    System.out.println("writing " + writer.position());
                    long last = -1;
                    for (long i = 0; i < count; i++) {
                        last = writer.position();
                        RingFrames.fill(frame, last);
                        writer.write(frame, last, Duration.ofSeconds(60));
                        if (pace > 0) {
                            LockSupport.parkNanos(pace);
                        }
                    }
                    System.out.println("wrote " + count + " last " + last);
                }
                break;
            }
            case "write-loop": { // NAME: writes until killed
                try (Ring ring = Ring.open(name); RingWriter writer = ring.writer(Duration.ofSeconds(30))) {
                    byte[] frame = new byte[Math.toIntExact(ring.size())];
                    boolean announced = false;
                    while (true) {
                        long p = writer.position();
                        RingFrames.fill(frame, p);
                        writer.write(frame, p, Duration.ofSeconds(60));
                        if (!announced) {
                            System.out.println("writing");
                            announced = true;
                        }
                    }
                }
            }
            case "pause-in-write": { // NAME: stops for good inside a write, after the copy
                RingHooks.installAfterCopy(position -> {
                    System.out.println("paused " + position);
                    System.out.flush();
                    while (true) {
                        LockSupport.parkNanos(1_000_000_000L);
                    }
                });
                try (Ring ring = Ring.open(name); RingWriter writer = ring.writer(Duration.ofSeconds(30))) {
                    byte[] frame = new byte[Math.toIntExact(ring.size())];
                    RingFrames.fill(frame, writer.position());
                    writer.write(frame, writer.position());
                }
                break;
            }
            case "read": { // NAME CURSOR COUNT IDLE_MILLIS SLEEP_MICROS BLOCKING GRACE_MILLIS
                long count = Long.parseLong(args[3]);
                Duration idle = Duration.ofMillis(Long.parseLong(args[4]));
                long sleep = Long.parseLong(args[5]) * 1000;
                CursorOptions options = CursorOptions.defaults().blocking(Boolean.parseBoolean(args[6]))
                        .grace(Duration.ofMillis(Long.parseLong(args[7])));
                try (Ring ring = Ring.open(name); RingReader reader = ring.reader(args[2], options)) {
                    System.out.println("ready " + reader.position());
                    Tally tally = new Tally(reader.position());
                    while (tally.delivered < count) {
                        try (RingFrame f = reader.take(idle)) {
                            tally.add(f, ring.size());
                        } catch (StreamTimeoutException e) {
                            break;
                        }
                        if (sleep > 0) {
                            LockSupport.parkNanos(sleep);
                        }
                    }
                    System.out.println(tally.line(reader));
                }
                break;
            }
            case "read-then-hold": { // NAME CURSOR COUNT GRACE_MILLIS: reads COUNT frames, then holds the cursor
                CursorOptions options = CursorOptions.defaults().grace(Duration.ofMillis(Long.parseLong(args[4])));
                try (Ring ring = Ring.open(name); RingReader reader = ring.reader(args[2], options)) {
                    Tally tally = new Tally(reader.position());
                    System.out.println("ready " + reader.position());
                    for (long i = 0; i < Long.parseLong(args[3]); i++) {
                        try (RingFrame f = reader.take(Duration.ofSeconds(30))) {
                            tally.add(f, ring.size());
                        }
                    }
                    System.out.println("holding " + reader.position() + " " + tally.line(reader));
                    while (true) {
                        LockSupport.parkNanos(1_000_000_000L);
                    }
                }
            }
            case "purge": { // - : Ring.purge(), then Ring.list()
                System.out.println("purged " + Ring.purge());
                System.out.println("rings " + Ring.list());
                break;
            }
            case "probe": { // NAME: whether the ring opens, and what it holds
                try (Ring ring = Ring.open(name)) {
                    System.out.println("ring " + ring.writePosition());
                } catch (RuntimeException e) {
                    System.out.println("ring " + e.getClass().getSimpleName());
                }
                break;
            }
            case "truncated": { // NAME OP LENGTH: OP on a ring cut to LENGTH bytes, warm, then three rounds
                truncated(name, args[2], Long.parseLong(args[3]));
                break;
            }
            default:
                throw new IllegalArgumentException("unknown command " + command);
        }
    }

    /**
     * Runs {@code op} 20,000 times (so it is compiled), truncates the ring's file to {@code length}
     * bytes as another process could, and reports what three more rounds throw.
     */
    private static void truncated(String name, String op, long length) throws Exception {
        int size = 1 << 16;
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, size).capacity(4).overflow(Overflow.OVERWRITE));
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("r")) {
            byte[] frame = new byte[size];
            for (int i = 0; i < 20_000; i++) {
                truncatedOp(op, writer, reader, frame, ring);
            }
            try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(
                    io.arrowshm.internal.posix.Segments.path(io.arrowshm.internal.ring.RingNames.of(name).segment()),
                    java.nio.file.StandardOpenOption.WRITE)) {
                file.truncate(length);
            }
            for (int round = 0; round < 3; round++) {
                String outcome = "none";
                try {
                    truncatedOp(op, writer, reader, frame, ring);
                } catch (Throwable t) {
                    outcome = t.getClass().getSimpleName();
                }
                System.out.println("outcome " + op + " " + outcome);
                System.out.flush();
            }
        }
    }

    private static void truncatedOp(String op, RingWriter writer, RingReader reader, byte[] frame, Ring ring) {
        switch (op) {
            case "write":
                writer.write(frame);
                break;
            case "take":
                writer.write(frame);
                reader.take(Duration.ofSeconds(1)).close();
                break;
            case "read-into":
                writer.write(frame);
                reader.readInto(frame, Duration.ofSeconds(1));
                break;
            case "batch":
                writer.write(frame);
                try (var batch = reader.leaseBatch(4, Duration.ofSeconds(1))) {
                    batch.valid();
                }
                break;
            case "position":
                ring.writePosition();
                break;
            default:
                throw new IllegalArgumentException(op);
        }
    }

    /** What a reader saw: counts, and every way a frame could be wrong. */
    static final class Tally {
        long delivered;
        long first = -1;
        long last;
        long torn;
        long backwards;
        long gaps;
        long badIds;
        long reportedLost;

        Tally(long start) {
            this.last = start - 1;
        }

        void add(RingFrame f, long size) {
            long p = f.position();
            if (first < 0) {
                first = p;
            }
            if (p <= last) {
                backwards++;
            } else {
                gaps += p - last - 1;
            }
            last = Math.max(last, p);
            delivered++;
            reportedLost += f.lost();
            if (!RingFrames.check(f.buffer(), size, p)) {
                torn++;
            }
            if (f.frameId() != p) {
                badIds++;
            }
        }

        String line(RingReader reader) {
            return "read " + delivered + " first " + first + " last " + last + " lost " + reader.lost() + " abandoned "
                    + reader.abandoned() + " gaps " + gaps + " framelost " + reportedLost + " torn " + torn
                    + " backwards " + backwards + " badids " + badIds;
        }
    }
}
