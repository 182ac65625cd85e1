package io.arrowshm.tensors;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A CPU and disk load generator for the recording tests, run in a child JVM: {@code THREADS}
 * threads spin, and one writes 16 MiB blocks to a file in {@code DIR} and forces each to disk
 * (starting over at 256 MiB), until the process is killed. It prints "loading" once running.
 */
public final class LoadPeer {
    private LoadPeer() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        Path file = Files.createTempFile(Path.of(args[1]), "load", ".bin");
        file.toFile().deleteOnExit();
        for (int i = 0; i < threads; i++) {
            Thread spinner = new Thread(LoadPeer::spin, "spin-" + i);
            spinner.setDaemon(true);
            spinner.start();
        }
        ByteBuffer block = ByteBuffer.allocateDirect(16 << 20);
        ThreadLocalRandom.current().ints(block.capacity() / 4).forEach(block::putInt);
        System.out.println("loading");
        System.out.flush();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            while (true) {
                if (out.position() >= 256L << 20) {
                    out.truncate(0);
                    out.position(0);
                }
                block.clear();
                while (block.hasRemaining()) {
                    out.write(block);
                }
                out.force(false);
            }
        }
    }

    private static void spin() {
        long x = 1;
        while (true) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            if (x == 42) {
                System.out.println(x);
            }
        }
    }
}
