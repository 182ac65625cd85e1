package io.arrowshm.testing;

import io.arrowshm.DType;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic payload bytes, computed the same way by src/test/python/peer.py, so each
 * side can check the other's bytes by SHA-256. Every byte value occurs, so float dtypes
 * carry NaN payloads, infinities, -0.0 and subnormals; bool bytes are 0 or 1.
 */
public final class Patterns {
    private Patterns() {
    }

    public static byte[] bytes(DType dtype, long size, int seed) {
        byte[] out = new byte[Math.toIntExact(size)];
        for (int i = 0; i < out.length; i++) {
            int value = (i * 31 + seed * 7 + (i >>> 8)) & 0xFF;
            out[i] = (byte) (dtype == DType.BOOL ? value & 1 : value);
        }
        return out;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
