package io.arrowshm.reliability;

/**
 * Short form (the README's test command) or long form ({@code -Dreliability.long=true}, see
 * the README): every case sizes its loops with {@link #pick}.
 */
final class Scale {
    private Scale() {
    }

    static boolean longForm() {
        return Boolean.getBoolean("reliability.long");
    }

    static int pick(int shortForm, int longForm) {
        return longForm() ? longForm : shortForm;
    }
}
