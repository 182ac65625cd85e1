package io.arrowshm.gpu;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;

/**
 * The child JVM of {@link StagedTruncationTest}: a GPU stream with a mirror on
 * {@link HostBackedGpuSupport}, written once; after the parent truncates the mirror, three
 * rounds of each operation named in the third argument print their outcome, then a staged
 * payload is checked still usable.
 */
public final class StagedTruncationChild {
    private StagedTruncationChild() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int elements = Integer.parseInt(args[1]);
        String[] ops = args[2].split(",");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, elements)
                .gpuDevice("cuda:0").cpuMirror(true))) {
            HostBackedGpuSupport.Payload payload = HostBackedGpuSupport.last;
            float[] frame = new float[elements];
            Arrays.fill(frame, 3f);
            shm.write(frame);
            int warm = Integer.getInteger("child.warmWrites", 0);
            for (int i = 0; i < warm; i++) {
                shm.write(frame); // compiled code delivers a copy's fault late: the case the barrier is for
            }
            long mirror;
            try (ArrowBuf view = shm.buffer()) {
                mirror = view.memoryAddress();
            }
            ByteBuffer device = ByteBuffer.allocateDirect((int) shm.size());
            long source = HostMemoryEngine.address(device);
            System.out.println("ready " + (warm > 0 ? "warm" : payload.engine.log.stream()
                    .filter(l -> l.startsWith("upload")).count() + " uploads"));
            System.out.flush();
            if (!"truncated".equals(in.readLine())) {
                throw new IllegalStateException("the parent did not truncate the mirror");
            }
            for (String op : ops) {
                for (int round = 0; round < 3; round++) {
                    Throwable outcome = null;
                    try {
                        switch (op) {
                            case "write-from-device": shm.writeFromDevice(source); break;
                            case "write": shm.write(frame); break;
                            // The seam's own calls, outside the core: the raw fault, from the call.
                            case "staged-upload": payload.copyFromHost(mirror, shm.size()); break;
                            case "staged-download": payload.copyToHost(mirror, shm.size()); break;
                            default: throw new IllegalArgumentException(op);
                        }
                    } catch (Throwable t) {
                        outcome = t;
                    }
                    System.out.println("outcome " + op + " " + describe(outcome));
                }
            }
            if (payload.nativeCopies) {
                return;
            }
            // The pipeline survived every fault: its buffers are idle and it still copies both ways.
            ByteBuffer back = ByteBuffer.allocateDirect((int) shm.size());
            payload.copyFromHost(source, shm.size());
            payload.copyToHost(HostMemoryEngine.address(back), shm.size());
            System.out.println("staging " + (payload.engine.idle() && back.equals(device) ? "usable" : "BROKEN"));
        }
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "none";
        }
        String cause = t.getCause() == null ? "" : " <- " + t.getCause().getClass().getSimpleName();
        return t.getClass().getSimpleName() + cause;
    }
}
