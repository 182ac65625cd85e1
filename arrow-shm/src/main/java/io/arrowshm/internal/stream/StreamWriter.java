package io.arrowshm.internal.stream;

import io.arrowshm.ReadOnlyStreamException;
import io.arrowshm.internal.posix.FaultBarrier;
import io.arrowshm.internal.posix.Futex;
import io.arrowshm.internal.posix.LockFile;
import io.arrowshm.internal.posix.Processes;
import org.apache.arrow.memory.ArrowBuf;

/**
 * The writing part of a handle: the write lock as this handle holds it, and publication
 * (copy in, zero, or a caller filling a write view) through the seqlock.
 *
 * <p>Lock levels: every {@link #acquire} counts as an operation in flight on the handle's
 * guard until its {@link #release}, so a handle closed by another thread meanwhile stays
 * mapped until the holder lets go, and the holder can always release. A wait for the lock
 * that ends after the handle was closed gives the lock straight back and fails: the lock is
 * never left held by a closed handle.
 */
public final class StreamWriter {
    private final String name;
    private final HeaderWords words;
    private final SeqlockWriter seqlock;
    private final LockFile lock;
    private final PayloadCodec codec;
    private final PayloadMapping payload;
    private final OperationGuard guard;
    private final long futexAddress;
    private final boolean readOnly;
    /** The GPU stream's device seam, or null for a CPU stream. */
    private final DeviceLink device;
    /** Lock levels held through this handle; changed only by the thread holding the lock. */
    private volatile int heldDepth;
    private volatile int openViews;

    /**
     * @param futexAddress the word to wake after each publication on notify streams, else 0
     * @param device for a GPU stream, what carries each publication to the device; else null
     */
    public StreamWriter(String name, HeaderWords words, SeqlockWriter seqlock, LockFile lock, PayloadCodec codec,
                        PayloadMapping payload, OperationGuard guard, long futexAddress, boolean readOnly,
                        DeviceLink device) {
        this.name = name;
        this.words = words;
        this.seqlock = seqlock;
        this.lock = lock;
        this.codec = codec;
        this.payload = payload;
        this.guard = guard;
        this.futexAddress = futexAddress;
        this.readOnly = readOnly;
        this.device = device;
    }

    // ------------------------------------------------------------------ the lock

    /** Takes one level of the write lock before {@code deadline} ({@link SeqlockReader#FOREVER} to wait on). */
    public void acquire(long deadline) {
        refuseIfReadOnly("acquire the write lock of");
        guard.enter("acquire the lock of");
        try {
            takeLock(deadline);
        } catch (RuntimeException | Error e) {
            guard.exit();
            throw e;
        }
    }

    /** Releases one level taken by {@link #acquire}; works on a closed handle too. */
    public void release() {
        if (!heldHere()) {
            throw new IllegalStateException("cannot release the write lock of '" + name
                    + "': this thread does not hold it through this handle");
        }
        try {
            dropLock();
        } finally {
            guard.exit();
        }
    }

    /** Whether the calling thread holds the lock through this handle. */
    public boolean heldHere() {
        return heldDepth > 0 && lock.heldByCurrentThread();
    }

    /**
     * Before the handle closes: releases every level this thread holds, and refuses while a
     * write view is open or another thread holds the lock through this handle.
     */
    public void releaseForClose() {
        if (openViews > 0) {
            throw new IllegalStateException("cannot close shared memory '" + name + "' while a write view is open;"
                    + " publish or close the WriteView first");
        }
        if (heldDepth > 0 && !lock.heldByCurrentThread()) {
            throw new IllegalStateException("cannot close shared memory '" + name
                    + "' while another thread holds its write lock; release it there first");
        }
        while (heldHere()) {
            try {
                release();
            } catch (RuntimeException brokenHeader) {
                // The lock itself is released; a truncated header cannot record it. Close anyway.
            }
        }
    }

    // ------------------------------------------------------------------ publication

    /**
     * Publishes {@code source} (already checked against the payload's size and type) with
     * {@code transfer}: lock, odd store, copy, counters, even store, wake, unlock.
     *
     * @param callerHoldsLock the caller already holds the lock through this handle ({@code writeLocked})
     */
    public <T> void publish(T source, PayloadTransfer<T> transfer, boolean stampFrameId, long frameId,
                            boolean callerHoldsLock) {
        refuseIfReadOnly("write to");
        if (device != null) {
            device.checkWrite();
        }
        guard.enter("write to");
        try {
            if (callerHoldsLock) {
                requireHeld("writeLocked");
            } else {
                takeLock(SeqlockReader.FOREVER);
            }
            try {
                long odd = seqlock.beginWrite(name);
                try {
                    transfer.apply(codec, source);
                    if (device != null) {
                        device.afterTransfer(transfer); // to the device, synchronized, before the even store
                    }
                    WriteHooks.afterCopy(name);
                    FaultBarrier.deliverPending();
                } catch (RuntimeException | Error e) {
                    seqlock.abortWrite();
                    wakeReaders();
                    throw guard.fault(e, "write to");
                }
                seqlock.endWrite(odd, WallClock.epochSeconds(), stampFrameId, frameId);
                wakeReaders();
            } finally {
                if (!callerHoldsLock) {
                    dropLock();
                }
            }
        } catch (InternalError e) {
            throw guard.fault(e, "write to");
        } finally {
            guard.exit();
        }
    }

    /** Zero-fills the payload as a new publication (pyshmem's {@code clear()}); the frame id stays. */
    public void clear() {
        publish(null, (codec, ignored) -> codec.zero(), false, 0, false);
    }

    /**
     * Opens a zero-copy write: takes the lock (unless the caller holds it), stores the odd
     * sequence and returns the claim; the caller fills {@link Claim#buffer()} and finishes it.
     */
    public Claim claim(long deadline, boolean callerHoldsLock) {
        refuseIfReadOnly("write to");
        if (device != null) {
            device.checkWrite();
        }
        if (callerHoldsLock) {
            guard.enter("write to");
            try {
                requireHeld("writeViewLocked");
            } catch (RuntimeException e) {
                guard.exit();
                throw e;
            }
        } else {
            acquire(deadline);
        }
        ArrowBuf view = null;
        try {
            view = payload.view();
            Claim claim = new Claim(view, seqlock.beginWrite(name), !callerHoldsLock);
            openViews++;
            return claim;
        } catch (RuntimeException | Error e) {
            if (view != null) {
                view.close();
            }
            endClaim(!callerHoldsLock);
            throw guard.fault(e, "write to");
        }
    }

    /** An open zero-copy write: its own view of the payload and the odd sequence it stored. */
    public final class Claim {
        private ArrowBuf view;
        private final long odd;
        private final boolean ownsLock;

        private Claim(ArrowBuf view, long odd, boolean ownsLock) {
            this.view = view;
            this.odd = odd;
            this.ownsLock = ownsLock;
        }

        /**
         * The claim's view of the payload. A caller that closed the one it was given (its own
         * reference, so nothing else was affected) gets a new one; the claim gives back the
         * current one when it ends.
         */
        public ArrowBuf buffer() {
            if (view.refCnt() == 0) {
                view = payload.view();
            }
            return view;
        }

        /** Publishes what the caller wrote; the view is given back and the claim's lock level released. */
        public void publish(boolean stampFrameId, long frameId) {
            openViews--;
            try {
                try {
                    codec.probeLastByte(); // a payload truncated under the view must not be published
                    FaultBarrier.deliverPending(); // nor one whose stores faulted
                    if (device != null) {
                        device.afterTransfer(null); // the view's bytes to the device, before the even store
                    }
                } catch (InternalError | RuntimeException e) {
                    seqlock.abortWrite();
                    wakeReaders();
                    throw e;
                }
                seqlock.endWrite(odd, WallClock.epochSeconds(), stampFrameId, frameId);
                wakeReaders();
            } catch (InternalError e) {
                throw guard.fault(e, "publish a write view of");
            } finally {
                view.close();
                endClaim(ownsLock);
            }
        }

        /** Marks the write invalid (readers raise until the next complete write) and gives everything back. */
        public void abort() {
            openViews--;
            try {
                seqlock.abortWrite();
                wakeReaders();
            } catch (InternalError e) {
                throw guard.fault(e, "abort a write view of");
            } finally {
                view.close();
                endClaim(ownsLock);
            }
        }
    }

    private void endClaim(boolean ownsLock) {
        if (ownsLock) {
            release();
        } else {
            guard.exit();
        }
    }

    /**
     * A view of the live payload for a caller ({@code buffer()}), holding its own reference.
     * Only writable handles hand one out: a store through a read-only mapping would crash the JVM.
     */
    public ArrowBuf view() {
        refuseIfReadOnly("take a live writable view of");
        if (device != null) {
            device.checkHostView("take a live host view of");
        }
        guard.enter("take a view of");
        try {
            return payload.view();
        } finally {
            guard.exit();
        }
    }

    // ------------------------------------------------------------------ inside

    /** Throws {@code ReadOnlyStreamException} on a read-only handle, whose memory is mapped without write access. */
    public void refuseIfReadOnly(String operation) {
        if (readOnly) {
            throw new ReadOnlyStreamException("cannot " + operation + " read-only shared memory '" + name
                    + "'; open it without OpenOptions.readOnly() to write");
        }
    }

    /** Takes one level; the caller has entered the guard. */
    private void takeLock(long deadline) {
        lock.lock(deadline, name); // SeqlockReader.FOREVER is LockFile.FOREVER: no deadline
        if (guard.closed()) {
            lock.unlock(); // closed while we waited: never keep a lock nobody can release
            throw guard.closed("acquire the lock of");
        }
        heldDepth++;
        try {
            words.lockOwner(Processes.currentPid(), lock.depth());
            if (lock.depth() == 1) {
                seqlock.invalidateIfAbandoned();
            }
            FaultBarrier.deliverPending();
        } catch (InternalError e) {
            try {
                dropLock();
            } catch (RuntimeException | Error ignored) {
                // the header is gone; the lock itself was released
            }
            throw guard.fault(e, "acquire the lock of");
        }
    }

    /** Releases one level, recording the new depth in the header first (pyshmem's order). */
    private void dropLock() {
        int depth = lock.depth() - 1;
        heldDepth--;
        InternalError fault = null;
        try {
            words.lockOwner(depth == 0 ? 0 : Processes.currentPid(), depth);
            FaultBarrier.deliverPending(); // here, not at the flock call below, which must still run
        } catch (InternalError e) {
            fault = e;
        } finally {
            try {
                lock.unlock();
            } catch (InternalError late) {
                fault = late; // an earlier store's fault, delivered at the native call: the flock ran
            }
        }
        if (fault != null) {
            throw guard.fault(fault, "release the lock of");
        }
    }

    private void requireHeld(String operation) {
        if (!heldHere()) {
            throw new IllegalStateException(operation + " on '" + name + "' requires this thread to hold its"
                    + " write lock through this handle; use locked() or acquire() first");
        }
    }

    private void wakeReaders() {
        if (futexAddress != 0) {
            Futex.wakeAll(futexAddress);
        }
    }
}
