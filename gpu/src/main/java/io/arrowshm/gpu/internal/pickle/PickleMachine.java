package io.arrowshm.gpu.internal.pickle;

import static io.arrowshm.gpu.internal.pickle.PickleOpcodes.*;

import io.arrowshm.gpu.InvalidGpuHandleException;
import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A restricted pickle interpreter: it understands only the opcodes of {@link PickleOpcodes},
 * resolves no names (globals are checked against a {@link GlobalPolicy} and kept as names),
 * and calls nothing (REDUCE builds a {@link PickleValue.Reduced} node). Every structure it
 * keeps is bounded, and every opcode consumes at least one byte of a bounded input, so a
 * hostile payload ends in an {@link InvalidGpuHandleException}, never in a crash, a hang or
 * an allocation larger than the input.
 *
 * <p>One instance parses one payload; it is not thread-safe.
 */
public final class PickleMachine {
    /** Most bytes read before STOP; torch's CUDA payloads are about 400 bytes. */
    public static final int MAX_LENGTH = 64 * 1024;
    /** Most items on the stack at once; the 15-tuple of arguments needs 17. */
    public static final int MAX_STACK = 64;
    /** Most open MARKs; torch's payload opens one. */
    public static final int MAX_MARKS = 8;
    /** Most memo entries; torch's payload stores about 25. */
    public static final int MAX_MEMO = 1024;
    /** Deepest nesting of tuples and REDUCE nodes; torch's payload nests 5 deep. */
    public static final int MAX_DEPTH = 16;
    /** Longest str or bytes value; the longest in torch's payload is the 66-byte storage handle. */
    public static final int MAX_VALUE_LENGTH = 4096;
    /** Longest LONG1 integer in bytes; wider values cannot be sizes or offsets. */
    public static final int MAX_INT_BYTES = 8;

    /** Appended to every refusal: what the reader should do about it. */
    public static final String ADVICE = "; the _gpu segment was not written by pyshmem/torch or is damaged:"
            + " recreate the stream, or open it CPU-only through its mirror";

    private final GlobalPolicy policy;
    private final List<PickleValue> stack = new ArrayList<>();
    private final int[] marks = new int[MAX_MARKS];
    private int markCount;
    private final List<PickleValue> memo = new ArrayList<>();

    public PickleMachine(GlobalPolicy policy) {
        this.policy = policy;
    }

    /**
     * Runs the pickle from {@code payload}'s position up to its STOP opcode; bytes after STOP
     * are ignored, as CPython's unpickler ignores them. {@code payload} itself is not moved.
     */
    public PickleValue run(ByteBuffer payload) {
        PickleInput in = new PickleInput(payload);
        while (true) {
            int at = in.offset();
            if (at >= MAX_LENGTH) {
                throw refuse(Kind.LIMIT_EXCEEDED, "GPU handle payload has no STOP within " + MAX_LENGTH + " bytes");
            }
            int op = in.u8("the opcode (no STOP before the end)");
            switch (op) {
                case PROTO -> proto(in, at);
                case FRAME -> frame(in, at);
                case SHORT_BINUNICODE -> push(new PickleValue.Str(in.utf8(length(in.u8("SHORT_BINUNICODE length"), at), "SHORT_BINUNICODE")), at);
                case BINUNICODE -> push(new PickleValue.Str(in.utf8(length(in.u32("BINUNICODE length"), at), "BINUNICODE")), at);
                case SHORT_BINBYTES -> push(new PickleValue.Bytes(in.bytes(length(in.u8("SHORT_BINBYTES length"), at), "SHORT_BINBYTES")), at);
                case BINBYTES -> push(new PickleValue.Bytes(in.bytes(length(in.u32("BINBYTES length"), at), "BINBYTES")), at);
                case BININT -> push(new PickleValue.Int(in.i32("BININT")), at);
                case BININT1 -> push(new PickleValue.Int(in.u8("BININT1")), at);
                case BININT2 -> push(new PickleValue.Int(in.u16("BININT2")), at);
                case LONG1 -> push(new PickleValue.Int(long1(in, at)), at);
                case NEWTRUE -> push(new PickleValue.Bool(true), at);
                case NEWFALSE -> push(new PickleValue.Bool(false), at);
                case NONE -> push(new PickleValue.None(), at);
                case EMPTY_TUPLE -> push(new PickleValue.Tuple(List.of()), at);
                case TUPLE1 -> push(tuple(stack.size() - 1, at), at);
                case TUPLE2 -> push(tuple(stack.size() - 2, at), at);
                case TUPLE3 -> push(tuple(stack.size() - 3, at), at);
                case MARK -> mark(at);
                case TUPLE -> push(tuple(popMark(at), at), at);
                case MEMOIZE -> memoize(at);
                case BINGET -> push(memoGet(in.u8("BINGET index"), at), at);
                case LONG_BINGET -> push(memoGet(in.u32("LONG_BINGET index"), at), at);
                case STACK_GLOBAL -> push(stackGlobal(at), at);
                case REDUCE -> push(reduce(at), at);
                case STOP -> {
                    return stop(at);
                }
                default -> throw refuse(Kind.UNSUPPORTED_OPCODE, "GPU handle payload uses pickle opcode "
                        + PickleOpcodes.name(op) + " at offset " + at
                        + ", which torch's CUDA tensor reduction never emits");
            }
        }
    }

    private static void proto(PickleInput in, int at) {
        int version = in.u8("PROTO version");
        if (at != 0) {
            throw refuse(Kind.MALFORMED, "PROTO at offset " + at + " (it may only open the pickle)");
        }
        if (version < 2 || version > 5) {
            throw refuse(Kind.MALFORMED, "pickle protocol " + version + " at offset 0 (expected 4; 2..5 are tolerated)");
        }
    }

    private static void frame(PickleInput in, int at) {
        long length = in.u64("FRAME length");
        // Frames only group opcodes for buffered reading; a frame longer than the rest of the
        // input is how CPython reports truncation, so we do the same and otherwise ignore it.
        if (length < 0 || length > in.remaining()) {
            throw refuse(Kind.TRUNCATED, "FRAME at offset " + at + " declares " + Long.toUnsignedString(length)
                    + " bytes but only " + in.remaining() + " remain");
        }
    }

    private static long length(long declared, int at) {
        if (declared > MAX_VALUE_LENGTH) {
            throw refuse(Kind.LIMIT_EXCEEDED, "value at offset " + at + " declares " + declared
                    + " bytes; a CUDA handle payload holds none longer than " + MAX_VALUE_LENGTH);
        }
        return declared;
    }

    private static long long1(PickleInput in, int at) {
        int n = in.u8("LONG1 length");
        if (n > MAX_INT_BYTES) {
            throw refuse(Kind.LIMIT_EXCEEDED, "LONG1 at offset " + at + " is " + n
                    + " bytes wide; sizes and offsets fit in " + MAX_INT_BYTES);
        }
        byte[] le = in.bytes(n, "LONG1");
        long value = 0;
        for (int i = n - 1; i >= 0; i--) {
            value = (value << 8) | Byte.toUnsignedLong(le[i]);
        }
        if (n > 0 && n < 8 && le[n - 1] < 0) {
            value -= 1L << (8 * n); // two's complement sign of an n-byte value
        }
        return value;
    }

    private void push(PickleValue value, int at) {
        if (stack.size() >= MAX_STACK) {
            throw refuse(Kind.LIMIT_EXCEEDED, "pickle stack exceeds " + MAX_STACK + " items at offset " + at);
        }
        if (value.depth() > MAX_DEPTH) {
            throw refuse(Kind.LIMIT_EXCEEDED, "values nest deeper than " + MAX_DEPTH + " at offset " + at);
        }
        stack.add(value);
    }

    private PickleValue pop(int at, String what) {
        int floor = markCount == 0 ? 0 : marks[markCount - 1];
        if (stack.size() <= floor) {
            throw refuse(Kind.MALFORMED, what + " at offset " + at + " finds no item on the stack");
        }
        return stack.remove(stack.size() - 1);
    }

    private PickleValue.Tuple tuple(int from, int at) {
        int floor = markCount == 0 ? 0 : marks[markCount - 1];
        if (from < floor) {
            throw refuse(Kind.MALFORMED, "tuple opcode at offset " + at + " needs more items than the stack holds");
        }
        List<PickleValue> top = stack.subList(from, stack.size());
        PickleValue.Tuple tuple = new PickleValue.Tuple(top);
        top.clear();
        return tuple;
    }

    private void mark(int at) {
        if (markCount == MAX_MARKS) {
            throw refuse(Kind.LIMIT_EXCEEDED, "more than " + MAX_MARKS + " open MARKs at offset " + at);
        }
        marks[markCount++] = stack.size();
    }

    private int popMark(int at) {
        if (markCount == 0) {
            throw refuse(Kind.MALFORMED, "TUPLE at offset " + at + " has no MARK");
        }
        return marks[--markCount];
    }

    private void memoize(int at) {
        if (stack.isEmpty()) {
            throw refuse(Kind.MALFORMED, "MEMOIZE at offset " + at + " with an empty stack");
        }
        if (memo.size() >= MAX_MEMO) {
            throw refuse(Kind.LIMIT_EXCEEDED, "memo exceeds " + MAX_MEMO + " entries at offset " + at);
        }
        memo.add(stack.get(stack.size() - 1));
    }

    private PickleValue memoGet(long index, int at) {
        if (index >= memo.size()) {
            throw refuse(Kind.MALFORMED, "memo index " + index + " at offset " + at + " was never stored ("
                    + memo.size() + " entries)");
        }
        return memo.get((int) index);
    }

    private PickleValue.Global stackGlobal(int at) {
        PickleValue name = pop(at, "STACK_GLOBAL");
        PickleValue module = pop(at, "STACK_GLOBAL");
        if (!(module instanceof PickleValue.Str m) || !(name instanceof PickleValue.Str n)) {
            throw refuse(Kind.MALFORMED, "STACK_GLOBAL at offset " + at + " needs two str items, got "
                    + module.describe() + " and " + name.describe());
        }
        if (!policy.allowsGlobal(m.value(), n.value())) {
            throw refuse(Kind.DISALLOWED_GLOBAL, "disallowed global in GPU handle payload: "
                    + printable(m.value()) + "." + printable(n.value()) + " at offset " + at);
        }
        return new PickleValue.Global(m.value(), n.value());
    }

    private PickleValue.Reduced reduce(int at) {
        PickleValue args = pop(at, "REDUCE");
        PickleValue callable = pop(at, "REDUCE");
        if (!(callable instanceof PickleValue.Global global)) {
            throw refuse(Kind.MALFORMED, "REDUCE at offset " + at + " applies " + callable.describe()
                    + ", not a global");
        }
        if (!(args instanceof PickleValue.Tuple tuple)) {
            throw refuse(Kind.MALFORMED, "REDUCE at offset " + at + " has " + args.describe()
                    + " as arguments, not a tuple");
        }
        if (!policy.allowsReduce(global)) {
            throw refuse(Kind.DISALLOWED_GLOBAL, "GPU handle payload applies " + global.qualifiedName()
                    + " at offset " + at + "; torch's payload only applies torch.Size");
        }
        return new PickleValue.Reduced(global, tuple);
    }

    private PickleValue stop(int at) {
        if (markCount != 0 || stack.size() != 1) {
            throw refuse(Kind.MALFORMED, "STOP at offset " + at + " leaves " + stack.size() + " item(s) and "
                    + markCount + " open MARK(s); a pickle ends with exactly one item");
        }
        return stack.get(0);
    }

    /** Keeps hostile names from injecting control characters or megabytes into messages. */
    private static String printable(String name) {
        String clipped = name.length() > 80 ? name.substring(0, 80) + "..." : name;
        return clipped.replaceAll("\\p{Cntrl}", "?");
    }

    private static InvalidGpuHandleException refuse(Kind kind, String message) {
        return new InvalidGpuHandleException(kind, message + ADVICE);
    }
}
