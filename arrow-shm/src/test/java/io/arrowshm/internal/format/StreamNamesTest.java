package io.arrowshm.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StreamNamesTest {
    @Test
    void segmentNamesMatchTheSpecExamples() {
        assertEquals("ps_e7d679448a726d", StreamNames.of("frames").base());
        assertEquals("ps_86f7e437faa5a7", StreamNames.of("a").base());
        assertEquals("ps_421e993526686c", StreamNames.of("my_stream").base());
        StreamNames frames = StreamNames.of("frames");
        assertEquals("ps_e7d679448a726d", frames.dataSegment());
        assertEquals("ps_e7d679448a726d_meta", frames.metaSegment());
        assertEquals("ps_e7d679448a726d_gpu", frames.gpuSegment());
        assertEquals("ps_e7d679448a726d.lock", frames.lockPath().getFileName().toString());
    }

    @Test
    void hashIsOverTheUnmodifiedUtf8Bytes() {
        assertFalse(StreamNames.of(" frames").base().equals(StreamNames.of("frames").base()));
        assertEquals(17, StreamNames.of("名前").base().length());
    }

    @Test
    void blankNamesAreRejectedLikePython() {
        for (String blank : new String[] {"", " ", "\t\n", "\u00a0", "\u2003"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamNames.of(blank));
            assertTrue(e.getMessage().startsWith("name must be a non-empty string"));
        }
        assertThrows(IllegalArgumentException.class, () -> StreamNames.of(null));
    }

    @Test
    void storableNamesAreAtMost256Utf8Bytes() {
        StreamNames.of("x".repeat(256)).checkStorable();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamNames.of("é".repeat(129)).checkStorable());
        assertEquals("stream name is too long to store in metadata (max 256 UTF-8 bytes, got 258)", e.getMessage());
    }

    @Test
    void segmentBaseShape() {
        assertTrue(StreamNames.isSegmentBase("ps_e7d679448a726d"));
        assertFalse(StreamNames.isSegmentBase("ps_E7D679448A726D"));
        assertFalse(StreamNames.isSegmentBase("ps_e7d679448a726d_meta"));
        assertFalse(StreamNames.isSegmentBase("ps_e7d679448a726"));
        assertFalse(StreamNames.isSegmentBase("px_e7d679448a726d"));
    }

    @Test
    void lockDirectoryDefaultsToPythonsTempdirPerUid() {
        if (System.getenv("PYSHMEM_LOCK_DIR") == null && System.getenv("TMPDIR") == null
                && System.getenv("TEMP") == null && System.getenv("TMP") == null) {
            assertEquals("/tmp/pyshmem-locks-" + io.arrowshm.internal.posix.LibC.getuid(),
                    StreamNames.lockDirectory().toString());
        }
    }
}
