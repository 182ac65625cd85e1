package io.arrowshm.gpuseam;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.arrowshm.spi.DevicePayload;
import io.arrowshm.spi.DeviceRequest;
import io.arrowshm.spi.GpuSupport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * TEST CODE ONLY: a stand-in for a GPU that keeps "device memory" in private host memory of
 * this JVM, so the core's GPU paths (options, flags, the _gpu segment, mirror, CPU-only
 * rules, aborted publications, device-to-device reads) run in CI without CUDA. It is never
 * shipped and never a fallback: it is registered only on arrow-shm's test class path (the
 * {@code src/test/device-seam} folder that surefire adds; not in the test-jar).
 *
 * <p>Its memory cannot be shared between processes: attaching in another JVM fails, saying
 * so. Cross-process tests therefore cover metadata, locks, the mirror and the record, never
 * shared device memory. Tests can switch it off, make a chosen call fail, and observe calls.
 */
public final class HostMemoryGpuSupport implements GpuSupport {
    /** The record's first 8 bytes; not a pickle opcode, not arrow-shm's "ASHMGPU\0". */
    public static final byte[] MAGIC = {'H', 'O', 'S', 'T', 'S', 'E', 'A', 'M'};
    public static final int RECORD_LENGTH = 40;

    private static final Map<Long, Allocation> ALLOCATIONS = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static volatile boolean available = true;
    private static volatile String failNext;
    private static volatile Consumer<String> observer;
    private static final List<String> CALLS = java.util.Collections.synchronizedList(new ArrayList<>());

    public HostMemoryGpuSupport() {
    }

    // ------------------------------------------------------------------ test controls

    /** Makes {@link #available()} false (the "driver missing" case); every device call then fails. */
    public static void setAvailable(boolean value) {
        available = value;
    }

    /** Makes the next call of {@code operation} (e.g. "copyFromHost", "synchronize", "allocate") throw. */
    public static void failNext(String operation) {
        failNext = operation;
    }

    /** Sees every call by name, before it runs (null to stop). */
    public static void observe(Consumer<String> callObserver) {
        observer = callObserver;
    }

    /** The calls made since the last {@link #reset()}. */
    public static List<String> calls() {
        synchronized (CALLS) {
            return List.copyOf(CALLS);
        }
    }

    public static void reset() {
        available = true;
        failNext = null;
        observer = null;
        CALLS.clear();
    }

    /** Live allocations in this JVM (leak checks). */
    public static int liveAllocations() {
        return ALLOCATIONS.size();
    }

    /** A scratch "device buffer" of {@code bytes} for device reads and writes; free it with {@link #free}. */
    public static long scratch(long bytes) {
        Memory memory = new Memory(bytes);
        long id = IDS.incrementAndGet();
        ALLOCATIONS.put(-id, new Allocation(memory, 0));
        return Pointer.nativeValue(memory);
    }

    public static void free(long pointer) {
        ALLOCATIONS.entrySet().removeIf(e -> e.getKey() < 0 && Pointer.nativeValue(e.getValue().memory) == pointer);
    }

    /** A view of "device" memory as a buffer (tests fill and check it). */
    public static ByteBuffer bytes(long pointer, long size) {
        return new Pointer(pointer).getByteBuffer(0, size).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ------------------------------------------------------------------ the seam

    @Override
    public boolean available() {
        return available;
    }

    @Override
    public String unavailableReason() {
        return available ? "" : "the host-memory test seam is switched off";
    }

    @Override
    public DevicePayload allocate(DeviceRequest request) {
        call("allocate");
        Memory memory = new Memory(request.size());
        memory.clear();
        long id = IDS.incrementAndGet();
        Allocation allocation = new Allocation(memory, ProcessHandle.current().pid());
        ALLOCATIONS.put(id, allocation);
        allocation.users.incrementAndGet();
        ByteBuffer record = ByteBuffer.allocate(RECORD_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        record.put(MAGIC).putLong(ProcessHandle.current().pid()).putLong(id).putLong(request.size())
                .putInt(request.deviceIndex()).putInt(0);
        return new Payload(id, allocation, request, record.array());
    }

    @Override
    public DevicePayload attach(DeviceRequest request, ByteBuffer handleRecord) {
        call("attach");
        ByteBuffer in = handleRecord.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        if (in.remaining() < RECORD_LENGTH) {
            throw new IllegalStateException("host-seam record for '" + request.stream() + "' is " + in.remaining()
                    + " bytes, not " + RECORD_LENGTH);
        }
        in.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IllegalStateException("the _gpu segment of '" + request.stream() + "' is not a host-seam record");
        }
        long pid = in.getLong();
        long id = in.getLong();
        long size = in.getLong();
        int device = in.getInt();
        if (size != request.size() || device != request.deviceIndex()) {
            throw new IllegalStateException("host-seam record for '" + request.stream() + "' does not match the"
                    + " stream geometry (" + size + " bytes on cuda:" + device + ")");
        }
        if (pid != ProcessHandle.current().pid()) {
            throw new UnsupportedOperationException("the host-memory test seam cannot share memory between"
                    + " processes (record from pid " + pid + ")");
        }
        Allocation allocation = ALLOCATIONS.get(id);
        if (allocation == null) {
            throw new IllegalStateException("the allocation of '" + request.stream() + "' was released");
        }
        allocation.users.incrementAndGet();
        byte[] copy = new byte[RECORD_LENGTH];
        handleRecord.duplicate().get(copy);
        return new Payload(id, allocation, request, copy);
    }

    private static void call(String operation) {
        if (!available) {
            throw new IllegalStateException("cannot " + operation + ": the host-memory test seam is switched off");
        }
        CALLS.add(operation);
        Consumer<String> o = observer;
        if (o != null) {
            o.accept(operation);
        }
        if (operation.equals(failNext)) {
            failNext = null;
            throw new IllegalStateException("injected failure in " + operation);
        }
    }

    private static void copy(long from, long to, long bytes) {
        long done = 0;
        while (done < bytes) {
            int n = (int) Math.min(1 << 30, bytes - done);
            ByteBuffer target = new Pointer(to + done).getByteBuffer(0, n);
            target.put(new Pointer(from + done).getByteBuffer(0, n));
            done += n;
        }
    }

    private static final class Allocation {
        final Memory memory;
        final long pid;
        final AtomicLong users = new AtomicLong();

        Allocation(Memory memory, long pid) {
            this.memory = memory;
            this.pid = pid;
        }
    }

    private static final class Payload implements DevicePayload {
        private final long id;
        private final Allocation allocation;
        private final DeviceRequest request;
        private final byte[] record;
        private boolean closed;

        Payload(long id, Allocation allocation, DeviceRequest request, byte[] record) {
            this.id = id;
            this.allocation = allocation;
            this.request = request;
            this.record = record;
        }

        @Override
        public int deviceIndex() {
            return request.deviceIndex();
        }

        @Override
        public long devicePointer() {
            return Pointer.nativeValue(allocation.memory);
        }

        @Override
        public long size() {
            return request.size();
        }

        @Override
        public byte[] handleRecord() {
            call("handleRecord");
            return record.clone();
        }

        @Override
        public void copyFromHost(long hostAddress, long bytes) {
            call("copyFromHost");
            copy(hostAddress, devicePointer(), checked(bytes));
        }

        @Override
        public void copyToHost(long hostAddress, long bytes) {
            call("copyToHost");
            copy(devicePointer(), hostAddress, checked(bytes));
        }

        @Override
        public void copyFromDevice(long sourcePointer, long bytes) {
            call("copyFromDevice");
            copy(sourcePointer, devicePointer(), checked(bytes));
        }

        @Override
        public void copyToDevice(long targetPointer, long bytes) {
            call("copyToDevice");
            copy(devicePointer(), targetPointer, checked(bytes));
        }

        @Override
        public void synchronize() {
            call("synchronize");
        }

        private long checked(long bytes) {
            if (closed) {
                throw new IllegalStateException("payload of '" + request.stream() + "' is closed");
            }
            if (bytes != request.size()) {
                throw new IllegalArgumentException(bytes + " bytes for a payload of " + request.size());
            }
            return bytes;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            CALLS.add("close");
            if (allocation.users.decrementAndGet() == 0) {
                ALLOCATIONS.remove(id);
            }
        }
    }
}
