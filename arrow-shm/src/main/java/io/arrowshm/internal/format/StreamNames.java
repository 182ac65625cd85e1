package io.arrowshm.internal.format;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A stream name and everything derived from it (spec §1.1, §1.2): the segment base
 * {@code "ps_" + sha1(utf8(name))[:14]}, the three segment names and the lock-file path.
 */
public final class StreamNames {
    /** Prefix of every pyshmem segment name. */
    public static final String SEGMENT_PREFIX = "ps_";
    /** Lowercase hex characters of the SHA-1 digest kept in the segment base. */
    public static final int HASH_HEX_CHARS = 14;
    /** Length of a segment base: prefix plus hash. */
    public static final int BASE_LENGTH = SEGMENT_PREFIX.length() + HASH_HEX_CHARS;
    /** Suffix of the metadata segment. */
    public static final String META_SUFFIX = "_meta";
    /** Suffix of the GPU handle segment. */
    public static final String GPU_SUFFIX = "_gpu";
    /** Suffix of the lock file inside the lock directory. */
    public static final String LOCK_SUFFIX = ".lock";

    private final String name;
    private final String base;

    private StreamNames(String name, String base) {
        this.name = name;
        this.base = base;
    }

    /**
     * Derives the names for {@code name}.
     *
     * @throws IllegalArgumentException for a null or blank name (pyshmem: "name must be a
     *     non-empty string")
     */
    public static StreamNames of(String name) {
        if (name == null || isBlank(name)) {
            throw new IllegalArgumentException("name must be a non-empty string, got "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        return new StreamNames(name, baseOf(name));
    }

    /**
     * Checks that the name fits the metadata's name region, as pyshmem does at create.
     *
     * @throws IllegalArgumentException when its UTF-8 form is longer than 256 bytes
     */
    public void checkStorable() {
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length > MetadataLayout.NAME_REGION_LENGTH) {
            throw new IllegalArgumentException("stream name is too long to store in metadata (max "
                    + MetadataLayout.NAME_REGION_LENGTH + " UTF-8 bytes, got " + length + ")");
        }
    }

    public String name() {
        return name;
    }

    /** {@code ps_<h14>}: also the data segment's name. */
    public String base() {
        return base;
    }

    public String dataSegment() {
        return base;
    }

    public String metaSegment() {
        return base + META_SUFFIX;
    }

    public String gpuSegment() {
        return base + GPU_SUFFIX;
    }

    /** The lock file, resolved from the environment at each call as pyshmem does. */
    public Path lockPath() {
        return lockDirectory().resolve(base + LOCK_SUFFIX);
    }

    /** {@code "ps_" + first 14 lowercase hex digits of sha1(utf8(name))}. */
    public static String baseOf(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
            return SEGMENT_PREFIX + HexFormat.of().formatHex(digest).substring(0, HASH_HEX_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-1", e);
        }
    }

    /** Whether a /dev/shm file name has the exact shape of a pyshmem data segment. */
    public static boolean isSegmentBase(String fileName) {
        if (fileName.length() != BASE_LENGTH || !fileName.startsWith(SEGMENT_PREFIX)) {
            return false;
        }
        for (int i = SEGMENT_PREFIX.length(); i < BASE_LENGTH; i++) {
            char c = fileName.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /**
     * pyshmem's lock directory: {@code $PYSHMEM_LOCK_DIR} when set and non-empty, otherwise
     * {@code <tempdir>/pyshmem-locks-<uid>} with Python's {@code tempfile.gettempdir()} rules.
     * Never {@code java.io.tmpdir}: both languages must land on the same file.
     */
    public static Path lockDirectory() {
        String configured = System.getenv("PYSHMEM_LOCK_DIR");
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured);
        }
        return pythonTempDir().resolve("pyshmem-locks-" + io.arrowshm.internal.posix.LibC.getuid());
    }

    private static Path pythonTempDir() {
        for (String variable : List.of("TMPDIR", "TEMP", "TMP")) {
            String value = System.getenv(variable);
            if (value != null && !value.isEmpty() && usable(Path.of(value))) {
                return Path.of(value).toAbsolutePath().normalize();
            }
        }
        for (String candidate : List.of("/tmp", "/var/tmp", "/usr/tmp")) {
            if (usable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return Path.of("").toAbsolutePath();
    }

    private static boolean usable(Path directory) {
        return Files.isDirectory(directory) && Files.isWritable(directory);
    }

    /** Python's {@code not name.strip()}: empty once Unicode whitespace is removed. */
    private static boolean isBlank(String name) {
        return name.codePoints().allMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85);
    }

    @Override
    public String toString() {
        return name + " (" + base + ")";
    }
}
