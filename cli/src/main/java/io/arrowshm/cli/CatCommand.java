package io.arrowshm.cli;

import io.arrowshm.OpenOptions;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.cli.format.NumpyPrinter;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.ArrowBuf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code arrow-shm cat NAME}: the current frame, printed as NumPy prints the array (or its
 * raw bytes), from one consistent publication.
 */
@Command(name = "cat", mixinStandardHelpOptions = true,
        description = {"Print the current frame as NumPy prints it.",
                "A '#' header line gives dtype, shape, count and frame id; more than 1000 elements are summarised "
                        + "with '...' (3 items at each end of an axis) unless --full is given."})
final class CatCommand implements Callable<Integer> {
    /** How long a write in progress may hold up the read before the stream counts as stuck. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    private static final int CHUNK = 1 << 16;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The stream's name.")
    private String name;

    @Option(names = "--full", description = "Print every element, however many.")
    private boolean full;

    @Option(names = "--raw", description = "Write the payload's bytes (C order, little-endian) to stdout, no header.")
    private boolean raw;

    @Override
    public Integer call() throws IOException {
        try (SharedMemory shm = SharedMemory.open(name, OpenOptions.readOnly());
             Publication frame = shm.readPublication(READ_TIMEOUT)) {
            if (raw) {
                writeRaw(frame.payload(), shm.size());
                return ExitStatus.OK;
            }
            String text = NumpyPrinter.format(frame.payload(), shm.dtype(), shm.shape(), full);
            PrintWriter out = spec.commandLine().getOut();
            out.println("# " + name + ": " + shm.dtype().numpyName() + " " + Units.shape(shm.shape())
                    + ", count " + frame.count() + ", frame_id " + Long.toUnsignedString(frame.frameId())
                    + (frame.count() == 0 ? ", never written" : ", written " + Units.age(frame.writeTime()) + " ago"));
            out.println(text);
            out.flush();
            return ExitStatus.OK;
        }
    }

    private static void writeRaw(ArrowBuf payload, long size) throws IOException {
        // Straight to file descriptor 1: System.out is a PrintStream that hides write errors.
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), CHUNK);
        byte[] chunk = new byte[(int) Math.min(CHUNK, size)];
        for (long offset = 0; offset < size; offset += chunk.length) {
            int length = (int) Math.min(chunk.length, size - offset);
            payload.getBytes(offset, chunk, 0, length);
            out.write(chunk, 0, length);
        }
        out.flush();
    }
}
