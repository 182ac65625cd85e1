package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.StaleStreamException;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.testing.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Discovery and lifecycle across the languages: pyshmem's list_streams, stat, purge and
 * unlink treat Java streams as their own (and the reverse), and a name recreated by the other
 * language is a new generation that a stale handle will not unlink.
 */
class LifecycleTest {
    @RegisterExtension
    static final PyshmemSession py = new PyshmemSession();
    @RegisterExtension
    final TestStreams streams = new TestStreams();

    /** A name whose UTF-8 form has 2-, 3- and 4-byte sequences: both sides hash the same bytes. */
    private String unicodeName() {
        return streams.track(Names.unique("unicode") + "-żółw-✓-𝄞");
    }

    @Test
    @DisplayName("pyshmem.list_streams() lists Java streams, Java's listStreams() lists pyshmem streams")
    void discoveryListsTheOtherLanguagesStreams() {
        String java = streams.name("list");
        String javaUnicode = unicodeName();
        String python = streams.name("list");
        String pythonUnicode = unicodeName();
        SharedMemory.create(java, DType.UINT8, 4).close();
        SharedMemory.create(javaUnicode, CreateOptions.of(DType.FLOAT64, 2, 2).notify(true)).close();
        py.ok("create", python, "int16", "3");
        py.ok("create", pythonUnicode, "bool", "5", "notify");

        Set<String> all = Set.of(java, javaUnicode, python, pythonUnicode);
        assertEquals(all, Set.of(py.ok("list-among", java, javaUnicode, python, pythonUnicode).get("listed").split(",")));
        assertTrue(SharedMemory.listStreams().containsAll(all), SharedMemory.listStreams().toString());
    }

    @Test
    @DisplayName("a name of exactly 256 UTF-8 bytes fills the name region in both languages; 257 bytes is refused by both")
    void longestNameFillsTheNameRegion() {
        String longest = nameOfUtf8Bytes(MetadataLayout.NAME_REGION_LENGTH);
        String tooLong = nameOfUtf8Bytes(MetadataLayout.NAME_REGION_LENGTH + 1);
        SharedMemory.create(longest, DType.UINT8, 2).close();
        assertEquals(longest, py.ok("stat", longest).get("name"));
        assertEquals(longest, py.ok("list-among", longest).get("listed"), "stored whole, with no NUL after it");
        SharedMemory.unlink(longest);
        py.ok("create", longest, "uint8", "2");
        assertTrue(SharedMemory.listStreams().contains(longest));
        SharedMemory.open(longest).close();

        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(tooLong, DType.UINT8, 2));
        assertTrue(py.fails("ValueError", "create", tooLong, "uint8", "2").contains("too long"));
    }

    /** A unique name of exactly {@code bytes} UTF-8 bytes, ending in a 4-byte character so bytes, not chars, count. */
    private String nameOfUtf8Bytes(int bytes) {
        String start = Names.unique("long");
        return streams.track(start + "x".repeat(bytes - start.length() - 4) + "𝄞");
    }

    @Test
    @DisplayName("pyshmem.stat() describes a Java stream exactly")
    void pyshmemStatDescribesAJavaStream() {
        String name = unicodeName();
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.INT16, 3, 5).notify(true))) {
            shm.write(new short[15], 5L);
            shm.write(new short[15], 6L);
            Reply stat = py.ok("stat", name);
            assertEquals(name, stat.get("name"));
            assertEquals("3,5", stat.get("shape"));
            assertEquals("int16", stat.get("dtype"));
            assertEquals(30, stat.getLong("size"));
            assertEquals("False", stat.get("gpu_enabled"));
            assertEquals("None", stat.get("gpu_device"));
            assertEquals("True", stat.get("cpu_mirror"));
            assertEquals("True", stat.get("notify"));
            assertEquals(shm.instanceId().orElseThrow(), stat.get("instance_id"));
            assertEquals(ProcessHandle.current().pid(), stat.getLong("creator_pid"));
            assertEquals("True", stat.get("creator_alive"));
            assertEquals(2, stat.getLong("count"));
            assertEquals(4, stat.getLong("write_sequence"));
            assertEquals(shm.writeTime(), stat.getDouble("write_time"), 0.0);
        }
    }

    @Test
    @DisplayName("pyshmem.purge() removes Java streams, and leaves a corrupted one and a foreign ps_ file alone")
    void pyshmemPurgeRemovesJavaStreams() throws IOException {
        String plain = streams.name("purge");
        String unicode = unicodeName();
        String corrupted = streams.name("purge");
        String foreign = streams.name("purge");
        SharedMemory.create(plain, DType.UINT8, 4).close();
        SharedMemory.create(unicode, DType.COMPLEX64, 2).close();
        SharedMemory.create(corrupted, DType.UINT8, 4).close();
        ShmFiles.flipBits(corrupted, MetadataLayout.INSTANCE_ID_OFFSET, 0xFF);
        Files.write(ShmFiles.data(foreign), new byte[64]); // a ps_ name pyshmem did not make
        Files.write(ShmFiles.metadata(foreign), new byte[512]);

        String removed = py.ok("purge-among", plain, unicode, corrupted, foreign).get("removed");
        assertEquals(Set.of(plain, unicode), Set.of(removed.split(",")));
        for (String name : List.of(plain, unicode)) {
            assertThrows(StreamNotFoundException.class, () -> SharedMemory.open(name));
        }
        assertTrue(Files.exists(StreamNames.of(plain).lockPath()), "purge leaves lock files (spec §1.2)");
        assertTrue(Files.exists(ShmFiles.metadata(corrupted)), "an invalid header is not pyshmem's to remove");
        assertTrue(Files.exists(ShmFiles.data(foreign)), "a foreign file survives");
    }

    @Test
    @DisplayName("pyshmem.unlink(name) removes a Java stream: Java's open then reports it missing")
    void pyshmemUnlinkRemovesAJavaStream() {
        String name = streams.name("unlink");
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 8)) {
            shm.write(new float[8]);
            py.ok("unlink", name);
            StreamNotFoundException missing = assertThrows(StreamNotFoundException.class, () -> SharedMemory.open(name));
            assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
            assertThrows(StreamNotFoundException.class, () -> SharedMemory.stat(name));
            assertFalse(Files.exists(ShmFiles.data(name)) || Files.exists(ShmFiles.metadata(name)));
            assertTrue(Files.exists(StreamNames.of(name).lockPath()), "lock files outlive streams (spec §1.2)");
        }
    }

    @Test
    @DisplayName("Java's unlink(name) removes a pyshmem stream: pyshmem's open then reports it missing")
    void javaUnlinkRemovesAPyshmemStream() {
        String name = streams.name("unlink");
        py.ok("create", name, "float32", "8");
        SharedMemory.unlink(name);
        py.fails("FileNotFoundError", "open", name);
        py.fails("FileNotFoundError", "stat", name);
    }

    @Test
    @DisplayName("recreated by pyshmem: the stale Java handle's unlink() raises StaleStreamException")
    void staleJavaHandleDetectsAPyshmemRecreation() {
        String name = streams.name("generation");
        SharedMemory stale = SharedMemory.create(name, DType.UINT8, 16);
        String oldId = stale.instanceId().orElseThrow();
        py.ok("unlink", name);
        String newId = py.ok("create", name, "uint8", "16").get("instance_id");
        assertNotEquals(oldId, newId);

        assertThrows(StaleStreamException.class, stale::unlink);
        try (SharedMemory current = SharedMemory.open(name)) {
            assertEquals(newId, current.instanceId().orElseThrow(), "pyshmem's generation survived");
            current.unlink(); // the current generation's handle may remove it
        }
        py.fails("FileNotFoundError", "stat", name);
    }

    @Test
    @DisplayName("recreated by Java: the stale pyshmem handle's unlink() raises StaleStreamError")
    void stalePyshmemHandleDetectsAJavaRecreation() {
        String name = streams.name("generation");
        SharedMemory.create(name, DType.UINT8, 16).close();
        String oldId = py.ok("open", name).get("instance_id");
        SharedMemory.unlink(name);
        SharedMemory.create(name, DType.UINT8, 16).close();
        String newId = SharedMemory.stat(name).instanceId().orElseThrow();
        assertNotEquals(oldId, newId);

        py.fails("StaleStreamError", "unlink-handle", name);
        assertEquals(newId, SharedMemory.stat(name).instanceId().orElseThrow(), "Java's generation survived");
        py.ok("open", name);
        py.ok("unlink-handle", name);
        assertThrows(StreamNotFoundException.class, () -> SharedMemory.open(name));
    }
}
