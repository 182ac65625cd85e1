package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import io.arrowshm.gpu.internal.pickle.PickleMachine;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Payloads that are not torch's CUDA reduction: every one is refused with the right kind. */
class TorchIpcPickleHostileTest {

    private static InvalidGpuHandleException refused(byte[] payload) {
        return assertThrows(InvalidGpuHandleException.class, () -> TorchIpcPickle.parse(ByteBuffer.wrap(payload)));
    }

    private static void assertRefused(Kind kind, String messagePart, byte[] payload) {
        InvalidGpuHandleException e = refused(payload);
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), () -> "message lacks '" + messagePart + "': " + e.getMessage());
        assertTrue(e.getMessage().contains("recreate the stream"), () -> "message says not what to do: " + e.getMessage());
    }

    // ---- payloads CPython's pickler made (see make_torch_ipc_fixtures.py) ----

    static Stream<Arguments> generatedHostile() {
        return Stream.of(
                Arguments.of("hostile_os_system", Kind.DISALLOWED_GLOBAL, "disallowed global in GPU handle payload: posix.system"),
                Arguments.of("hostile_builtins_eval", Kind.DISALLOWED_GLOBAL, "disallowed global in GPU handle payload: builtins.eval"),
                Arguments.of("hostile_eval_in_args", Kind.DISALLOWED_GLOBAL, "builtins.eval"),
                Arguments.of("wrong_arity_14", Kind.WRONG_STRUCTURE, "must be a 15-tuple, got 14-tuple"),
                Arguments.of("wrong_fn_tensor_global", Kind.WRONG_STRUCTURE,
                        "rebuild_fn must be the global torch.multiprocessing.reductions.rebuild_cuda_tensor, got global torch.Tensor"),
                Arguments.of("size_not_torch_size", Kind.WRONG_STRUCTURE, "(tensor_size) must be torch.Size(...), got 2-tuple"),
                Arguments.of("event_handle_short", Kind.WRONG_STRUCTURE, "event handle is 8 bytes"),
                Arguments.of("expandable_segment", Kind.UNSUPPORTED_HANDLE, "expandable_segments:False"),
                Arguments.of("handle_version_9", Kind.UNSUPPORTED_HANDLE, "storage handle version 9"),
                Arguments.of("geometry_storage_too_small", Kind.GEOMETRY_MISMATCH, "does not fit in its 20-byte storage"),
                Arguments.of("geometry_not_contiguous", Kind.GEOMETRY_MISMATCH, "stride (1, 2) is not C-contiguous"));
    }

    @ParameterizedTest
    @MethodSource("generatedHostile")
    void refusesGeneratedPayload(String fixture, Kind kind, String messagePart) {
        byte[] payload = Fixtures.bytes(fixture);
        InvalidGpuHandleException e = refused(payload);
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), () -> "message lacks '" + messagePart + "': " + e.getMessage());
        // Dispatch gives the same verdict.
        assertEquals(kind, assertThrows(InvalidGpuHandleException.class,
                () -> GpuHandleSegment.decode(ByteBuffer.wrap(payload))).kind());
    }

    // ---- opcodes that build or call objects ----

    static Stream<Arguments> refusedOpcodes() {
        return Stream.of(
                Arguments.of("GLOBAL", PickleBytes.proto4().op('c').raw("os\nsystem\n".getBytes()).stop().bytes()),
                Arguments.of("GLOBAL", PickleBytes.proto4().op('c').raw("torch\nSize\n".getBytes()).stop().bytes()),
                Arguments.of("BUILD", PickleBytes.proto4().global("torch", "Tensor").op('N').op('b').stop().bytes()),
                Arguments.of("INST", PickleBytes.proto4().op('(').op('i').raw("os\nsystem\n".getBytes()).stop().bytes()),
                Arguments.of("OBJ", PickleBytes.proto4().op('(').global("torch", "Tensor").op('o').stop().bytes()),
                Arguments.of("NEWOBJ", PickleBytes.proto4().global("torch", "Tensor").op(')').op(0x81).stop().bytes()),
                Arguments.of("NEWOBJ_EX", PickleBytes.proto4().global("torch", "Tensor").op(')').op('N').op(0x92).stop().bytes()),
                Arguments.of("PERSID", PickleBytes.proto4().op('P').raw("x\n".getBytes()).stop().bytes()),
                Arguments.of("BINPERSID", PickleBytes.proto4().op('N').op('Q').stop().bytes()),
                Arguments.of("EXT1", PickleBytes.proto4().op(0x82, 1).stop().bytes()),
                Arguments.of("BINPUT", PickleBytes.proto4().op('N').op('q', 0).stop().bytes()),
                Arguments.of("EMPTY_DICT", PickleBytes.proto4().op('}').stop().bytes()),
                Arguments.of("BINFLOAT", PickleBytes.proto4().op('G').u64(0).stop().bytes()),
                Arguments.of("LONG4", PickleBytes.proto4().op(0x8b).u32(1).op(1).stop().bytes()),
                Arguments.of("BINBYTES8", PickleBytes.proto4().op(0x8e).u64(1).op(1).stop().bytes()),
                Arguments.of("NEXT_BUFFER", PickleBytes.proto4().op(0x97).stop().bytes()),
                Arguments.of("POP", PickleBytes.proto4().op('N').op('N').op('0').stop().bytes()),
                Arguments.of("unknown opcode 0xff", PickleBytes.proto4().op(0xff).stop().bytes()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedOpcodes")
    void refusesOpcodesOutsideTheTorchSet(String opcode, byte[] payload) {
        assertRefused(Kind.UNSUPPORTED_OPCODE, opcode, payload);
    }

    // ---- globals ----

    static Stream<Arguments> disallowedGlobals() {
        return Stream.of(
                Arguments.of("os", "system"),
                Arguments.of("builtins", "eval"),
                Arguments.of("builtins", "getattr"),
                Arguments.of("subprocess", "Popen"),
                Arguments.of("torch", "load"),
                Arguments.of("torch", "from_file"),
                Arguments.of("torch.storage", "UntypedStorage"),
                Arguments.of("torch.multiprocessing.reductions", "rebuild_tensor"),
                Arguments.of("torch", "storage.TypedStorage"), // dotted attribute path into an allowed name
                Arguments.of("torch", "float32.__class__"),
                Arguments.of("collections", "OrderedDict.__init__"),
                Arguments.of("torch.Size", ""),
                Arguments.of("Torch", "Size"));
    }

    @ParameterizedTest(name = "{0}.{1}")
    @MethodSource("disallowedGlobals")
    void refusesGlobalsOutsideTheAllowlist(String module, String name) {
        assertRefused(Kind.DISALLOWED_GLOBAL, "disallowed global in GPU handle payload",
                PickleBytes.proto4().global(module, name).stop().bytes());
    }

    @Test
    void refusesReducingAnythingButTorchSize() {
        assertRefused(Kind.DISALLOWED_GLOBAL, "applies torch.multiprocessing.reductions.rebuild_cuda_tensor",
                PickleBytes.proto4().global("torch.multiprocessing.reductions", "rebuild_cuda_tensor").op(')').op('R').stop().bytes());
        assertRefused(Kind.DISALLOWED_GLOBAL, "applies torch.Tensor",
                PickleBytes.proto4().global("torch", "Tensor").op(')').op('R').stop().bytes());
        assertRefused(Kind.DISALLOWED_GLOBAL, "applies torch.float32",
                PickleBytes.proto4().global("torch", "float32").op(')').op('R').stop().bytes());
    }

    @Test
    void sanitizesHostileNamesInMessages() {
        InvalidGpuHandleException e = refused(PickleBytes.proto4().global("os\n\u001b[31m", "x".repeat(200)).stop().bytes());
        assertTrue(e.getMessage().contains("os??[31m.xxxx"), e.getMessage());
        assertTrue(e.getMessage().length() < 600, e.getMessage());
    }

    // ---- truncation and forged lengths ----

    @Test
    void refusesEveryTruncationOfAFramedPayload() {
        byte[] pickle = Fixtures.bytes("v2_float32_2x3");
        for (int length = 0; length < pickle.length; length++) {
            InvalidGpuHandleException e = refused(Arrays.copyOf(pickle, length));
            assertEquals(Kind.TRUNCATED, e.kind(), "prefix " + length + ": " + e.getMessage());
        }
    }

    @Test
    void refusesEveryTruncationOfAnUnframedPayload() {
        // Without its FRAME (9 bytes after PROTO) the payload is still valid, and truncation
        // is then found inside each opcode's argument instead of at the frame.
        byte[] framed = Fixtures.bytes("v3_uint8_image");
        assertEquals(0x95, Byte.toUnsignedInt(framed[2]));
        byte[] pickle = new byte[framed.length - 9];
        System.arraycopy(framed, 0, pickle, 0, 2);
        System.arraycopy(framed, 11, pickle, 2, framed.length - 11);
        TorchIpcPickle.parse(ByteBuffer.wrap(pickle));

        for (int length = 0; length < pickle.length; length++) {
            InvalidGpuHandleException e = refused(Arrays.copyOf(pickle, length));
            assertEquals(Kind.TRUNCATED, e.kind(), "prefix " + length + ": " + e.getMessage());
        }
    }

    @Test
    void refusesAbsurdLengthsBeforeAllocating() {
        assertRefused(Kind.LIMIT_EXCEEDED, "declares 4294967295 bytes", PickleBytes.proto4().op('B').u32(0xFFFFFFFFL).stop().bytes());
        assertRefused(Kind.LIMIT_EXCEEDED, "declares 2147483647 bytes", PickleBytes.proto4().op('X').u32(0x7FFFFFFFL).stop().bytes());
        assertRefused(Kind.TRUNCATED, "needs 200 byte(s)", PickleBytes.proto4().op('C', 200).raw(new byte[10]).stop().bytes());
        assertRefused(Kind.TRUNCATED, "declares 9223372036854775807 bytes", PickleBytes.proto4().op(0x95).u64(Long.MAX_VALUE).stop().bytes());
        assertRefused(Kind.TRUNCATED, "declares 18446744073709551615 bytes", PickleBytes.proto4().op(0x95).u64(-1).stop().bytes());
        assertRefused(Kind.LIMIT_EXCEEDED, "LONG1 at offset 2 is 200 bytes wide", PickleBytes.proto4().op(0x8a, 200).raw(new byte[200]).stop().bytes());
        assertRefused(Kind.TRUNCATED, "LONG_BINGET index", PickleBytes.proto4().op('N').op(0x94).op('j', 0, 0).bytes());
    }

    // ---- bounds on stack, memo and nesting ----

    @Test
    void boundsNestingDepth() {
        assertRefused(Kind.LIMIT_EXCEEDED, "nest deeper than " + PickleMachine.MAX_DEPTH,
                PickleBytes.proto4().op('N').repeat(100_000, 0x85).stop().bytes());
    }

    @Test
    void boundsSharedSubtreesThatWouldGrowExponentially() {
        // x = (); x = (x, x) repeated: a 2^n tree from n memo entries ("billion laughs").
        PickleBytes p = PickleBytes.proto4().op(')').op(0x94);
        for (int i = 0; i < 40; i++) {
            p.op('h', i).op('h', i).op(0x86).op(0x94);
        }
        assertRefused(Kind.LIMIT_EXCEEDED, "nest deeper", p.stop().bytes());
    }

    @Test
    void boundsTheStack() {
        assertRefused(Kind.LIMIT_EXCEEDED, "stack exceeds " + PickleMachine.MAX_STACK,
                PickleBytes.proto4().repeat(PickleMachine.MAX_STACK + 1, 'N').stop().bytes());
    }

    @Test
    void boundsOpenMarks() {
        assertRefused(Kind.LIMIT_EXCEEDED, "open MARKs", PickleBytes.proto4().repeat(PickleMachine.MAX_MARKS + 1, '(').stop().bytes());
    }

    @Test
    void boundsTheMemo() {
        assertRefused(Kind.LIMIT_EXCEEDED, "memo exceeds " + PickleMachine.MAX_MEMO,
                PickleBytes.proto4().op('N').repeat(PickleMachine.MAX_MEMO + 1, 0x94).stop().bytes());
    }

    @Test
    void boundsTheLengthOfAPayloadWithoutStop() {
        // FRAME 0 consumes 9 bytes and builds nothing: only the length bound ends this.
        byte[] payload = PickleBytes.proto4().repeat(PickleMachine.MAX_LENGTH / 9 + 2, 0x95, 0, 0, 0, 0, 0, 0, 0, 0).stop().bytes();
        assertRefused(Kind.LIMIT_EXCEEDED, "no STOP within " + PickleMachine.MAX_LENGTH, payload);
    }

    @Test
    void boundsValueLength() {
        assertRefused(Kind.LIMIT_EXCEEDED, "declares 5000 bytes",
                PickleBytes.proto4().op('B').u32(5000).raw(new byte[5000]).stop().bytes());
    }

    // ---- malformed streams ----

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("stack underflow", PickleBytes.proto4().op('N').op(0x86).stop().bytes(), "needs more items"),
                Arguments.of("tuple across a mark", PickleBytes.proto4().op('N').op('(').op('N').op(0x86).stop().bytes(), "needs more items"),
                Arguments.of("TUPLE without MARK", PickleBytes.proto4().op('N').op('t').stop().bytes(), "has no MARK"),
                Arguments.of("memo never stored", PickleBytes.proto4().op('h', 0).stop().bytes(), "memo index 0"),
                Arguments.of("LONG_BINGET past memo", PickleBytes.proto4().op('N').op(0x94).op('j').u32(300).stop().bytes(), "memo index 300"),
                Arguments.of("MEMOIZE empty", PickleBytes.proto4().op(0x94).stop().bytes(), "empty stack"),
                Arguments.of("STOP with two items", PickleBytes.proto4().op('N').op('N').stop().bytes(), "leaves 2 item(s)"),
                Arguments.of("STOP with open mark", PickleBytes.proto4().op('(').op('N').stop().bytes(), "1 open MARK(s)"),
                Arguments.of("STOP on empty stack", PickleBytes.proto4().stop().bytes(), "leaves 0 item(s)"),
                Arguments.of("PROTO late", PickleBytes.proto4().op('N').op(0x80, 4).stop().bytes(), "PROTO at offset 3"),
                Arguments.of("protocol 1", new PickleBytes().op(0x80, 1).op('N').stop().bytes(), "pickle protocol 1"),
                Arguments.of("STACK_GLOBAL of ints", PickleBytes.proto4().op('K', 1).op('K', 2).op(0x93).stop().bytes(), "needs two str items"),
                Arguments.of("STACK_GLOBAL underflow", PickleBytes.proto4().str("torch").op(0x93).stop().bytes(), "finds no item"),
                Arguments.of("REDUCE of a str", PickleBytes.proto4().str("torch").op(')').op('R').stop().bytes(), "not a global"),
                Arguments.of("REDUCE with non-tuple args", PickleBytes.proto4().global("torch", "Size").op('N').op('R').stop().bytes(), "not a tuple"),
                Arguments.of("bad UTF-8", PickleBytes.proto4().op(0x8c, 2, 0xc3, 0x28).stop().bytes(), "not valid UTF-8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesMalformedStreams(String what, byte[] payload, String messagePart) {
        assertRefused(Kind.MALFORMED, messagePart, payload);
    }

    @Test
    void refusesWellFormedPicklesOfOtherShapes() {
        assertRefused(Kind.WRONG_STRUCTURE, "must be a 2-tuple, got None", PickleBytes.proto4().op('N').stop().bytes());
        assertRefused(Kind.WRONG_STRUCTURE, "must be a 2-tuple, got 0-tuple", PickleBytes.proto4().op(')').stop().bytes());
    }

    @Test
    void dispatchRefusesUnknownFormats() {
        for (byte[] segment : new byte[][] {new byte[0], "hello".getBytes(), new byte[272], "ASHMGPU".getBytes()}) {
            InvalidGpuHandleException e = assertThrows(InvalidGpuHandleException.class,
                    () -> GpuHandleSegment.decode(ByteBuffer.wrap(segment)));
            assertEquals(Kind.UNKNOWN_FORMAT, e.kind(), e.getMessage());
        }
    }

    // ---- random damage ----

    @Test
    void randomDamageEndsInARefusalOrAValidHandleNeverAnotherThrowable() {
        SplittableRandom random = new SplittableRandom(6);
        String[] fixtures = Fixtures.valid().toArray(String[]::new);
        int refused = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] payload = Fixtures.bytes(fixtures[round % fixtures.length]);
            int edits = 1 + random.nextInt(4);
            for (int i = 0; i < edits; i++) {
                payload[random.nextInt(payload.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                payload = Arrays.copyOf(payload, random.nextInt(payload.length));
            }
            try {
                TorchIpcPickle.parse(ByteBuffer.wrap(payload));
            } catch (InvalidGpuHandleException expected) {
                refused++;
            } catch (Throwable t) {
                fail("round " + round + " threw " + t, t);
            }
        }
        assertTrue(refused > 10_000, "only " + refused + " damaged payloads were refused");
    }
}
