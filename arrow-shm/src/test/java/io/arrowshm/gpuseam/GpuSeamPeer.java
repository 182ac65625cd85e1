package io.arrowshm.gpuseam;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamInfo;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.stream.DeviceSeam;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The child-JVM side of {@link GpuSeamCrossProcessTest}: one command per run, answers on
 * stdout. Its host-memory seam cannot see the parent's "device" memory, so it works with
 * metadata, locks, the mirror and the _gpu record only.
 */
public final class GpuSeamPeer {
    private GpuSeamPeer() {
    }

    public static void main(String[] args) {
        String command = args[0];
        String name = args.length > 1 ? args[1] : "";
        try {
            switch (command) {
                case "gpu-available" -> System.out.println("available " + SharedMemory.gpuAvailable());
                case "stat" -> {
                    StreamInfo info = SharedMemory.stat(name);
                    System.out.println("stat " + info.gpuEnabled() + " " + info.gpuDevice().orElse("none") + " "
                            + info.cpuMirror() + " " + info.count());
                }
                case "record" -> {
                    ByteBuffer record = DeviceSeam.readRecord(StreamNames.of(name).gpuSegment());
                    byte[] bytes = new byte[record.remaining()];
                    record.get(bytes);
                    System.out.println("record " + HexFormat.of().formatHex(bytes));
                }
                case "read-mirror" -> {
                    try (SharedMemory shm = SharedMemory.open(name)) {
                        float[] values = new float[(int) (shm.size() / 4)];
                        shm.readInto(values);
                        System.out.println("mirror " + Arrays.toString(values) + " count " + shm.count()
                                + " device " + shm.gpuDevice().orElse("none"));
                    }
                }
                case "attach" -> {
                    try (SharedMemory shm = SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0"))) {
                        System.out.println("attached " + shm.deviceView());
                    }
                }
                case "write-cpu-only" -> {
                    try (SharedMemory shm = SharedMemory.open(name)) {
                        shm.write(new float[(int) (shm.size() / 4)]);
                        System.out.println("written");
                    }
                }
                case "lock-and-count" -> {
                    try (SharedMemory shm = SharedMemory.open(name); var held = shm.locked()) {
                        System.out.println("locked " + shm.count());
                        Thread.sleep(Long.parseLong(args[2]));
                    }
                    System.out.println("released");
                }
                case "create" -> {
                    try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 2, 3)
                            .gpuDevice("cuda:0"))) {
                        System.out.println("created");
                    }
                }
                default -> throw new IllegalArgumentException(command);
            }
        } catch (RuntimeException e) {
            System.out.println("error " + e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            System.out.println("interrupted");
        }
    }
}
