package io.arrowshm.gpu.internal.pickle;

import java.util.Map;

/**
 * The pickle opcodes this reader interprets: exactly those CPython's protocol-4 pickler
 * emits for torch's {@code (rebuild_cuda_tensor, args)} (spec §6.4), plus NONE. Every other
 * opcode is refused; {@link #name(int)} still names the well-known ones so the refusal says
 * what was found.
 */
final class PickleOpcodes {
    private PickleOpcodes() {
    }

    /** 0x80 + u8: protocol version; only valid as the first opcode. */
    static final int PROTO = 0x80;
    /** 0x95 + u64: length of the frame that follows (a buffering hint, nothing to build). */
    static final int FRAME = 0x95;
    /** 0x8c + u8 length + UTF-8: a str. */
    static final int SHORT_BINUNICODE = 0x8c;
    /** 'X' + u32 length + UTF-8: a str. */
    static final int BINUNICODE = 'X';
    /** 0x94: store the top of the stack at the next memo index. */
    static final int MEMOIZE = 0x94;
    /** 0x93: pop name and module strings, push that global (checked against the allowlist). */
    static final int STACK_GLOBAL = 0x93;
    /** 'J' + i32: an int. */
    static final int BININT = 'J';
    /** 'K' + u8: an int 0..255. */
    static final int BININT1 = 'K';
    /** 'M' + u16: an int 0..65535. */
    static final int BININT2 = 'M';
    /** 0x8a + u8 n + n bytes: a little-endian two's-complement int. */
    static final int LONG1 = 0x8a;
    /** 'C' + u8 length + bytes: a bytes object. */
    static final int SHORT_BINBYTES = 'C';
    /** 'B' + u32 length + bytes: a bytes object. */
    static final int BINBYTES = 'B';
    /** ')': push the empty tuple. */
    static final int EMPTY_TUPLE = ')';
    /** 0x85: wrap the top item in a 1-tuple. */
    static final int TUPLE1 = 0x85;
    /** 0x86: wrap the top two items in a 2-tuple. */
    static final int TUPLE2 = 0x86;
    /** 0x87: wrap the top three items in a 3-tuple. */
    static final int TUPLE3 = 0x87;
    /** '(': push a mark for the next TUPLE. */
    static final int MARK = '(';
    /** 't': pop the items above the last mark into a tuple. */
    static final int TUPLE = 't';
    /** 0x88: True. */
    static final int NEWTRUE = 0x88;
    /** 0x89: False. */
    static final int NEWFALSE = 0x89;
    /** 'N': None. */
    static final int NONE = 'N';
    /** 'R': pop args and callable; here it builds a data node and calls nothing. */
    static final int REDUCE = 'R';
    /** 'h' + u8: push memo entry. */
    static final int BINGET = 'h';
    /** 'j' + u32: push memo entry. */
    static final int LONG_BINGET = 'j';
    /** '.': end of pickle; the single item on the stack is the result. */
    static final int STOP = '.';

    /** Names of opcodes that exist in pickle but are refused here, for error messages. */
    private static final Map<Integer, String> REFUSED = Map.ofEntries(
            Map.entry((int) 'c', "GLOBAL"),
            Map.entry((int) 'i', "INST"),
            Map.entry((int) 'o', "OBJ"),
            Map.entry(0x81, "NEWOBJ"),
            Map.entry(0x92, "NEWOBJ_EX"),
            Map.entry((int) 'b', "BUILD"),
            Map.entry((int) 'P', "PERSID"),
            Map.entry((int) 'Q', "BINPERSID"),
            Map.entry(0x82, "EXT1"),
            Map.entry(0x83, "EXT2"),
            Map.entry(0x84, "EXT4"),
            Map.entry((int) 'p', "PUT"),
            Map.entry((int) 'q', "BINPUT"),
            Map.entry((int) 'r', "LONG_BINPUT"),
            Map.entry((int) 'g', "GET"),
            Map.entry((int) ']', "EMPTY_LIST"),
            Map.entry((int) 'l', "LIST"),
            Map.entry((int) 'a', "APPEND"),
            Map.entry((int) 'e', "APPENDS"),
            Map.entry((int) '}', "EMPTY_DICT"),
            Map.entry((int) 'd', "DICT"),
            Map.entry((int) 's', "SETITEM"),
            Map.entry((int) 'u', "SETITEMS"),
            Map.entry(0x8f, "EMPTY_SET"),
            Map.entry(0x90, "ADDITEMS"),
            Map.entry(0x91, "FROZENSET"),
            Map.entry((int) 'I', "INT"),
            Map.entry((int) 'L', "LONG"),
            Map.entry(0x8b, "LONG4"),
            Map.entry((int) 'F', "FLOAT"),
            Map.entry((int) 'G', "BINFLOAT"),
            Map.entry((int) 'S', "STRING"),
            Map.entry((int) 'T', "BINSTRING"),
            Map.entry((int) 'U', "SHORT_BINSTRING"),
            Map.entry((int) 'V', "UNICODE"),
            Map.entry(0x8d, "BINUNICODE8"),
            Map.entry(0x8e, "BINBYTES8"),
            Map.entry(0x96, "BYTEARRAY8"),
            Map.entry(0x97, "NEXT_BUFFER"),
            Map.entry(0x98, "READONLY_BUFFER"),
            Map.entry((int) '0', "POP"),
            Map.entry((int) '1', "POP_MARK"),
            Map.entry((int) '2', "DUP"));

    /** A readable name for {@code opcode}: the pickle name where there is one, else its hex value. */
    static String name(int opcode) {
        String known = REFUSED.get(opcode);
        String hex = String.format("0x%02x", opcode);
        return known != null ? known + " (" + hex + ")" : "unknown opcode " + hex;
    }
}
