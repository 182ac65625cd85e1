/**
 * arrow-shm's core: named shared-memory tensor streams, wire-compatible with pyshmem 1.4.0.
 * The public API is {@code io.arrowshm}; {@code io.arrowshm.spi} is the seam the {@code gpu}
 * module implements. Everything under {@code io.arrowshm.internal} is the implementation and
 * is not exported.
 *
 * <pre>{@code
 * module my.app {
 *     requires io.arrowshm;
 * }
 * }</pre>
 */
module io.arrowshm {
    requires transitive org.apache.arrow.memory.core;
    // Arrow finds its allocation manager by class name; requiring it puts it in the module graph.
    requires org.apache.arrow.memory.unsafe;
    requires com.sun.jna;

    exports io.arrowshm;
    exports io.arrowshm.spi;
    // Helpers the project's own programs (cli, examples, benchmarks) share; not the stream API.
    exports io.arrowshm.tools;

    uses io.arrowshm.spi.GpuSupport;
}
