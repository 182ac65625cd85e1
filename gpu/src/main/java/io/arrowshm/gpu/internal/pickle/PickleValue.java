package io.arrowshm.gpu.internal.pickle;

import java.util.List;

/**
 * The inert values the restricted pickle machine builds. A {@link Global} is only a pair of
 * names and a {@link Reduced} only records "callable applied to args": nothing is looked up,
 * loaded or called.
 */
public sealed interface PickleValue {

    /** Nesting depth: 0 for a leaf; bounded by {@link PickleMachine#MAX_DEPTH}. */
    int depth();

    /** A short, bounded description for error messages (never the whole value). */
    String describe();

    /** A Python int that fits in 64 bits (the only ints a CUDA handle payload holds). */
    record Int(long value) implements PickleValue {
        public int depth() {
            return 0;
        }

        public String describe() {
            return "int " + value;
        }
    }

    /** True or False. */
    record Bool(boolean value) implements PickleValue {
        public int depth() {
            return 0;
        }

        public String describe() {
            return value ? "True" : "False";
        }
    }

    /** None. */
    record None() implements PickleValue {
        public int depth() {
            return 0;
        }

        public String describe() {
            return "None";
        }
    }

    /** A str. */
    record Str(String value) implements PickleValue {
        public int depth() {
            return 0;
        }

        public String describe() {
            return "str of length " + value.length();
        }
    }

    /** A bytes object; the array is owned by this value and never handed out unshared. */
    record Bytes(byte[] value) implements PickleValue {
        public Bytes {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        public int length() {
            return value.length;
        }

        public int depth() {
            return 0;
        }

        public String describe() {
            return "bytes of length " + value.length;
        }
    }

    /** A tuple. */
    record Tuple(List<PickleValue> items, int depth) implements PickleValue {
        public Tuple(List<PickleValue> items) {
            this(List.copyOf(items), 1 + items.stream().mapToInt(PickleValue::depth).max().orElse(0));
        }

        public int size() {
            return items.size();
        }

        public PickleValue get(int index) {
            return items.get(index);
        }

        public String describe() {
            return items.size() + "-tuple";
        }
    }

    /** A global named {@code module.name} that passed the allowlist. */
    record Global(String module, String name) implements PickleValue {
        public int depth() {
            return 0;
        }

        public String qualifiedName() {
            return module + "." + name;
        }

        public String describe() {
            return "global " + qualifiedName();
        }
    }

    /** {@code callable(*args)} as data: what REDUCE would have called. */
    record Reduced(Global callable, Tuple args, int depth) implements PickleValue {
        public Reduced(Global callable, Tuple args) {
            this(callable, args, 1 + args.depth());
        }

        public String describe() {
            return callable.qualifiedName() + "(...)";
        }
    }
}
