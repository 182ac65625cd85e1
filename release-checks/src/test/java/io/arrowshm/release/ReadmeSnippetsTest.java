package io.arrowshm.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.SharedMemory;
import io.arrowshm.flight.ServeOptions;
import io.arrowshm.flight.StreamFlightServer;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Python;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The READMEs' code cannot rot: every {@code ```java} block compiles against the published modules,
 * and every {@code ```python} block runs against real streams that Java created. How to add a block:
 * {@link Snippets}.
 */
class ReadmeSnippetsTest {
    private static final Path ROOT = Path.of(System.getProperty("arrowshm.root", "..")).toAbsolutePath().normalize();
    private static final String HOW_TO = "put <!-- snippet: some-name --> on the line above the fence and register"
            + " 'some-name' in release-checks/src/test/java/io/arrowshm/release/Snippets.java (its comment says how)";

    @TestFactory
    Stream<DynamicTest> javaBlocksCompile() {
        List<Markdown.Block> blocks = Markdown.blocks(ROOT, "java");
        assertFalse(blocks.isEmpty(), "no ```java block found in " + Markdown.readmes(ROOT));
        return blocks.stream().map(block -> DynamicTest.dynamicTest(
                block.where(ROOT) + " " + (block.name() == null ? "(no marker)" : block.name()),
                () -> compile(block, Snippets.JAVA.get(requireName(block, Snippets.JAVA.keySet())))));
    }

    @TestFactory
    Stream<DynamicTest> pythonBlocksRun() {
        List<Markdown.Block> blocks = Markdown.blocks(ROOT, "python");
        assertFalse(blocks.isEmpty(), "no ```python block found in " + Markdown.readmes(ROOT));
        return blocks.stream().map(block -> DynamicTest.dynamicTest(
                block.where(ROOT) + " " + (block.name() == null ? "(no marker)" : block.name()),
                () -> run(block, Snippets.PYTHON.get(requireName(block, Snippets.PYTHON.keySet())))));
    }

    /** A name registered in Snippets that no README block carries is a stale entry. */
    @Test
    void everyRegisteredSnippetIsInAReadme() {
        Set<String> used = new TreeSet<>();
        Markdown.readmes(ROOT).forEach(file -> Markdown.blocks(file).stream()
                .map(Markdown.Block::name).filter(java.util.Objects::nonNull).forEach(used::add));
        Set<String> stale = new TreeSet<>(Snippets.JAVA.keySet());
        stale.addAll(Snippets.PYTHON.keySet());
        stale.removeAll(used);
        assertTrue(stale.isEmpty(), "registered in Snippets.java but no README block has the marker: " + stale
                + " (remove them from Snippets.java, or put the marker back above their block)");
    }

    /**
     * The torch block cannot run here (it needs a GPU); gpu/device-check.sh runs the helper it is
     * copied from on a GPU host, so the two must stay the same text.
     */
    @Test
    void theTorchBlockIsTheHelperTheDeviceCheckRuns() throws IOException {
        Markdown.Block block = Markdown.blocks(ROOT.resolve("README.md")).stream()
                .filter(b -> "torch-reads-record".equals(b.name())).findFirst().orElseThrow();
        assertEquals(Files.readString(ROOT.resolve("gpu/src/test/python/read_arrowshm_gpu_record.py")), block.code(),
                "the README's torch-reads-record block and gpu/src/test/python/read_arrowshm_gpu_record.py differ");
    }

    /** The extraction itself: markers, fences, line numbers, and the message for a block without a marker. */
    @Test
    void extractionFindsMarkersAndReportsUnmarkedBlocks() throws IOException {
        Path dir = Files.createTempDirectory("readme-check");
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, String.join("\n", "# t", "<!-- snippet: first -->", "", "```java",
                "int a = 1;", "```", "text", "```python", "x = 1", "```", "```console", "$ ls", "```", ""));
        List<Markdown.Block> blocks = Markdown.blocks(readme);
        assertEquals(3, blocks.size());
        assertEquals("first", blocks.get(0).name());
        assertEquals(5, blocks.get(0).line());
        assertEquals("int a = 1;\n", blocks.get(0).code());
        assertEquals(null, blocks.get(1).name());
        AssertionError unmarked = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> requireName(blocks.get(1), Set.of()));
        assertTrue(unmarked.getMessage().contains("<!-- snippet: some-name -->"), unmarked.getMessage());
        AssertionError unknown = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> requireName(blocks.get(0), Set.of()));
        assertTrue(unknown.getMessage().contains("'first'"), unknown.getMessage());
    }

    private static String requireName(Markdown.Block block, Set<String> registered) {
        String kind = block.language();
        if (block.name() == null) {
            fail(block.where(ROOT) + ": this ```" + kind + " block has no snippet marker, so nothing checks it: " + HOW_TO);
        }
        if (!registered.contains(block.name())) {
            fail(block.where(ROOT) + ": snippet '" + block.name() + "' is not registered for " + kind + " in Snippets.java: "
                    + HOW_TO);
        }
        return block.name();
    }

    // ---------------------------------------------------------------- Java

    private static void compile(Markdown.Block block, Snippets.JavaWrapper wrapper) throws IOException {
        String className = "Snippet_" + wrapper.name.replaceAll("[^A-Za-z0-9]", "_");
        List<String> imports = new ArrayList<>(List.of("io.arrowshm.*", "java.time.Duration"));
        imports.addAll(wrapper.imports);
        List<String> body = new ArrayList<>();
        for (String line : block.code().split("\n", -1)) {
            if (wrapper.kind != Snippets.Kind.UNIT && line.startsWith("import ")) {
                imports.add(line.substring("import ".length()).replace(";", "").trim());
                body.add(""); // keeps the block's line numbers
            } else {
                body.add(line);
            }
        }
        StringBuilder source = new StringBuilder();
        int firstLine; // the generated line that holds the block's first line
        if (wrapper.kind == Snippets.Kind.UNIT) {
            firstLine = 1;
        } else {
            source.append("package snippets;\n");
            imports.forEach(type -> source.append("import ").append(type).append(";\n"));
            source.append("@SuppressWarnings(\"unused\")\nfinal class ").append(className).append(" {\n");
            if (wrapper.kind == Snippets.Kind.STATEMENTS) {
                source.append("static void run() throws Exception {\n");
            }
            wrapper.declarations.forEach(declaration -> source.append(declaration).append("\n"));
            firstLine = (int) source.chars().filter(c -> c == '\n').count() + 1;
        }
        source.append(String.join("\n", body));
        if (wrapper.kind == Snippets.Kind.STATEMENTS) {
            source.append("}\n");
        }
        if (wrapper.kind != Snippets.Kind.UNIT) {
            source.append("}\n");
        }

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createTempDirectory("readme-snippet");
        String fileName = wrapper.kind == Snippets.Kind.UNIT ? publicClassName(block.code()) : className;
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + fileName + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "-proc:none", "-implicit:none", "-Xlint:deprecation",
                    "-Werror", "-classpath", System.getProperty("java.class.path"), "-d", out.toString());
            boolean ok = javac.getTask(null, files, diagnostics, options, null, List.of(file)).call();
            String report = diagnostics.getDiagnostics().stream()
                    .map(d -> describe(d, block, firstLine))
                    .collect(Collectors.joining("\n"));
            if (!ok || !diagnostics.getDiagnostics().isEmpty()) {
                fail("the README's Java snippet '" + wrapper.name + "' at " + block.where(ROOT)
                        + " does not compile against the current API (fix the README, or its wrapper in Snippets.java"
                        + " if the snippet is right):\n" + report + "\n--- generated source ---\n" + numbered(source));
            }
        }
    }

    private static String describe(Diagnostic<? extends JavaFileObject> d, Markdown.Block block, int firstLine) {
        long line = d.getLineNumber();
        String where = line >= firstLine
                ? ROOT.relativize(block.file()) + ":" + (block.line() + line - firstLine)
                : "wrapper line " + line;
        return where + ": " + d.getKind().toString().toLowerCase(Locale.ROOT) + ": " + d.getMessage(Locale.ROOT);
    }

    private static String publicClassName(String code) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("public\\s+(?:final\\s+)?(?:class|record|interface|enum)\\s+(\\w+)")
                .matcher(code);
        return m.find() ? m.group(1) : "Snippet";
    }

    private static String numbered(CharSequence source) {
        String[] lines = source.toString().split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            out.append(String.format("%4d  %s%n", i + 1, lines[i]));
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- Python

    private static void run(Markdown.Block block, Snippets.PythonSetup setup) throws Exception {
        if (setup.skipReason != null) {
            abort(block.where(ROOT) + " '" + setup.name + "' is not run: " + setup.skipReason);
        }
        String python = Python.executable();
        String code = block.code();
        List<SharedMemory> streams = new ArrayList<>();
        List<String> createdNames = new ArrayList<>();
        StreamFlightServer server = null;
        try {
            for (Snippets.StreamSpec spec : setup.streams) {
                String literal = "\"" + spec.readmeName() + "\"";
                assertTrue(code.contains(literal), block.where(ROOT) + ": the block no longer names the stream "
                        + literal + " that Snippets.java creates for it; update its .stream(...)");
                String name = Names.unique("readme-" + setup.name);
                SharedMemory shm = SharedMemory.create(name, spec.dtype(), spec.shape());
                streams.add(shm);
                shm.write(sevens(spec.dtype(), shm.size()));
                code = code.replace(literal, "\"" + name + "\"");
            }
            for (String readmeName : setup.created) {
                String literal = "\"" + readmeName + "\"";
                assertTrue(code.contains(literal), block.where(ROOT) + ": the block no longer names the stream "
                        + literal + " that Snippets.java expects it to create");
                String name = Names.unique("readme-" + setup.name + "-made");
                createdNames.add(name);
                code = code.replace(literal, "\"" + name + "\"");
            }
            String checks = String.join("\n", setup.checks);
            if (setup.flightUri != null) {
                assertTrue(code.contains("\"" + setup.flightUri + "\""), block.where(ROOT)
                        + ": the block no longer connects to " + setup.flightUri);
                server = StreamFlightServer.start(ServeOptions.defaults().port(0));
                code = code.replace(setup.flightUri, "grpc://127.0.0.1:" + server.port());
                checks = checks.replace("FRAMES_IN", createdNames.isEmpty() ? "b''"
                        : "b\"" + createdNames.get(0) + "\"");
            }
            String script = code + "\n# checks from Snippets.java\n" + checks + "\n";
            Process process = new ProcessBuilder(python, "-c", script).directory(ROOT.toFile())
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            boolean done = process.waitFor(120, TimeUnit.SECONDS);
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!done) {
                process.destroyForcibly();
                fail(block.where(ROOT) + " '" + setup.name + "' did not finish in 120 s:\n" + output);
            }
            assertEquals(0, process.exitValue(), () -> "the README's Python snippet '" + setup.name + "' at "
                    + block.where(ROOT) + " failed (fix the README, or its setup in Snippets.java):\n" + output
                    + "--- script ---\n" + numbered(script));
        } finally {
            if (server != null) {
                server.close();
            }
            for (SharedMemory shm : streams) {
                shm.unlink();
                shm.close();
            }
            for (String name : createdNames) { // each is silent for a name the block never made
                SharedMemory.unlink(name);
                Ring.unlink(name);
            }
        }
    }

    /** A whole payload of 7s in the stream's dtype, as little-endian bytes. */
    private static ByteBuffer sevens(DType dtype, long size) {
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        while (bytes.hasRemaining()) {
            switch (dtype) {
                case UINT8, INT8 -> bytes.put((byte) 7);
                case FLOAT32 -> bytes.putFloat(7f);
                case FLOAT64 -> bytes.putDouble(7d);
                case INT32, UINT32 -> bytes.putInt(7);
                case INT64, UINT64 -> bytes.putLong(7L);
                default -> throw new IllegalArgumentException("add " + dtype + " to ReadmeSnippetsTest.sevens");
            }
        }
        return bytes.flip();
    }
}
