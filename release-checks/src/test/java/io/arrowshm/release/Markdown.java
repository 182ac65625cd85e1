package io.arrowshm.release;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The fenced code blocks of the project's READMEs, each with the snippet name its marker gives it. */
final class Markdown {
    /** The marker above a checked block: an HTML comment, invisible on GitHub. */
    static final Pattern MARKER = Pattern.compile("^<!--\\s*snippet:\\s*([A-Za-z0-9._-]+)\\s*-->\\s*$");
    private static final Pattern FENCE = Pattern.compile("^(```+|~~~+)\\s*([A-Za-z0-9_+-]*)\\s*$");

    private Markdown() {
    }

    /** One fenced block: where it is, its language, its marker's name (null when none), its text. */
    record Block(Path file, int line, String language, String name, String code) {
        /** "README.md:42", relative to the repository root, for messages. */
        String where(Path root) {
            return root.relativize(file) + ":" + line;
        }
    }

    /** The root README.md and every module's README.md (one directory down), in a stable order. */
    static List<Path> readmes(Path root) {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(Files::isDirectory)
                    .filter(dir -> !dir.getFileName().toString().startsWith("."))
                    .map(dir -> dir.resolve("README.md"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Every fenced block of {@code file}; {@code line} is the 1-based line of its first code line. */
    static List<Block> blocks(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            String fence = open.group(1);
            String language = open.group(2);
            String name = null;
            for (int j = i - 1; j >= 0; j--) {
                if (lines.get(j).isBlank()) {
                    continue;
                }
                Matcher marker = MARKER.matcher(lines.get(j));
                if (marker.matches()) {
                    name = marker.group(1);
                }
                break;
            }
            int end = i + 1;
            while (end < lines.size() && !lines.get(end).trim().equals(fence)) {
                end++;
            }
            blocks.add(new Block(file, i + 2, language, name, String.join("\n", lines.subList(i + 1, end)) + "\n"));
            i = end;
        }
        return blocks;
    }

    /** The blocks of every README in one language ("java", "python"). */
    static List<Block> blocks(Path root, String language) {
        return readmes(root).stream().flatMap(file -> blocks(file).stream())
                .filter(block -> block.language().equals(language)).toList();
    }
}
