package io.arrowshm.flight;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which streams a server exposes: shell-style globs on the stream name ({@code *} any run of
 * characters, {@code ?} one character, everything else literal, {@code /} included). No globs
 * means every stream.
 */
final class StreamPatterns {
    private final List<String> globs;
    private final List<Pattern> patterns;

    StreamPatterns(List<String> globs) {
        this.globs = List.copyOf(globs);
        this.patterns = this.globs.stream().map(StreamPatterns::compile).toList();
    }

    boolean exposes(String name) {
        return patterns.isEmpty() || patterns.stream().anyMatch(p -> p.matcher(name).matches());
    }

    List<String> globs() {
        return globs;
    }

    static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                regex.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        regex.append(Pattern.quote(literal.toString()));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
