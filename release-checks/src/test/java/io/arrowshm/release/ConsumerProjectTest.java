package io.arrowshm.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * .ci/consumer (built and run by .ci/consumer.sh in CI) runs the README's quickstart itself: its
 * Quickstart.java holds the README's block verbatim (the block's import moved to the file's top),
 * so what CI runs on JDK 17 and 25 is what the README shows.
 */
class ConsumerProjectTest {
    private static final Path ROOT = Path.of(System.getProperty("arrowshm.root", "..")).toAbsolutePath().normalize();

    @Test
    void theConsumerRunsTheReadmesQuickstart() throws Exception {
        Markdown.Block quickstart = Markdown.blocks(ROOT.resolve("README.md")).stream()
                .filter(block -> "quickstart".equals(block.name())).findFirst()
                .orElseThrow(() -> new AssertionError("README.md has no <!-- snippet: quickstart --> block"));
        String readme = Arrays.stream(quickstart.code().split("\n")).filter(line -> !line.startsWith("import "))
                .map(String::strip).filter(line -> !line.isEmpty()).collect(Collectors.joining("\n"));
        String source = Files.readString(ROOT.resolve(".ci/consumer/src/main/java/example/Quickstart.java"));
        String begin = "(release-checks' ConsumerProjectTest compares them).";
        String end = "// end of the README's block";
        assertTrue(source.contains(begin) && source.contains(end), "Quickstart.java lost its markers: " + begin + " / " + end);
        String consumer = Arrays.stream(source.substring(source.indexOf(begin) + begin.length(), source.indexOf(end))
                .split("\n")).map(String::strip).filter(line -> !line.isEmpty()).collect(Collectors.joining("\n"));
        assertEquals(readme, consumer, "copy the README's quickstart block (" + quickstart.where(ROOT)
                + ") into .ci/consumer/src/main/java/example/Quickstart.java between the markers");
        for (String line : quickstart.code().split("\n")) {
            if (line.startsWith("import ")) {
                assertTrue(source.contains(line), "Quickstart.java lacks the README block's " + line);
            }
        }
    }
}
