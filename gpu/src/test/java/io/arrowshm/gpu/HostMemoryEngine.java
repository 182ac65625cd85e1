package io.arrowshm.gpu;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.arrowshm.spi.HostMemory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link StagingPipeline.Engine} in host memory, standing in for CUDA in tests: the
 * "device" payload and the two "pinned" buffers are direct buffers. A started copy moves its
 * bytes only when it is awaited, as a DMA completes later than it starts, so a pipeline that
 * touched a buffer before awaiting it would read or write the wrong bytes. It also fails
 * loudly when a buffer is restarted or released while a copy of it is in flight, and logs
 * every call (with the pipeline's host copies, through {@link #hostCopy()}) for order checks.
 */
final class HostMemoryEngine implements StagingPipeline.Engine {
    final ByteBuffer device;
    final long deviceAddress;
    final ByteBuffer[] buffers = new ByteBuffer[2];
    private final long[] bufferAddresses = new long[2];
    private final Runnable[] pending = new Runnable[2];
    final List<String> log = new ArrayList<>();
    boolean released;
    /** When set, the call with this log entry's prefix throws it (e.g. "await 1"). */
    String failOn;
    RuntimeException failure = new IllegalStateException("injected engine failure");

    HostMemoryEngine(long payloadBytes, long bufferBytes) {
        device = ByteBuffer.allocateDirect(Math.toIntExact(payloadBytes));
        deviceAddress = address(device);
        for (int i = 0; i < 2; i++) {
            buffers[i] = ByteBuffer.allocateDirect(Math.toIntExact(bufferBytes));
            bufferAddresses[i] = address(buffers[i]);
        }
    }

    static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /** The pipeline's host copy: HostMemory's, logged, and refused on a buffer with a copy in flight. */
    StagingPipeline.HostCopy hostCopy() {
        return (source, target, bytes) -> {
            for (int i = 0; i < 2; i++) {
                if (pending[i] != null && (within(source, i) || within(target, i))) {
                    throw new AssertionError("host copy on buffer " + i + " while its DMA is in flight");
                }
            }
            log.add("copy " + (within(target, 0) ? "to 0" : within(target, 1) ? "to 1" : within(source, 0)
                    ? "from 0" : "from 1") + " " + bytes);
            HostMemory.copy(source, target, bytes);
        };
    }

    private boolean within(long address, int buffer) {
        return address >= bufferAddresses[buffer] && address < bufferAddresses[buffer] + buffers[buffer].capacity();
    }

    private void call(String entry) {
        log.add(entry);
        if (failOn != null && entry.startsWith(failOn)) {
            throw failure;
        }
    }

    @Override
    public long buffer(int index) {
        return bufferAddresses[index];
    }

    @Override
    public void startUpload(int index, long payloadOffset, long bytes) {
        start(index);
        call("upload " + index + " @" + payloadOffset + " " + bytes);
        pending[index] = () -> HostMemory.copy(bufferAddresses[index], deviceAddress + payloadOffset, bytes);
    }

    @Override
    public void startDownload(int index, long payloadOffset, long bytes) {
        start(index);
        call("download " + index + " @" + payloadOffset + " " + bytes);
        pending[index] = () -> HostMemory.copy(deviceAddress + payloadOffset, bufferAddresses[index], bytes);
    }

    private void start(int index) {
        if (pending[index] != null) {
            throw new AssertionError("buffer " + index + " restarted before its last copy was awaited");
        }
        if (released) {
            throw new AssertionError("copy started after release");
        }
    }

    @Override
    public void await(int index) {
        call("await " + index);
        Runnable copy = pending[index];
        pending[index] = null;
        if (copy != null) {
            copy.run();
        }
    }

    boolean idle() {
        return pending[0] == null && pending[1] == null;
    }

    @Override
    public void release() {
        if (!idle()) {
            throw new AssertionError("released with a copy in flight");
        }
        if (released) {
            throw new AssertionError("released twice");
        }
        released = true;
        log.add("release");
    }
}
