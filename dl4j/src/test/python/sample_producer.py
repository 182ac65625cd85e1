"""The Python producer of the DL4J example and tests: writes samples of a separable problem to a
ring the trainer created, with arrow_shm, then an end marker (frame id 2**64 - 1) after each epoch.

    python sample_producer.py RING SAMPLES [--labels RING] [--epochs E] [--test T] [--seed S]

The problem: 16 standard-normal features, a one-hot label over 4 classes (the argmax of four
fixed random linear scores), float32. One ring: each frame is a sample, features then label,
shape (20,). With --labels, features (16,) go to RING and labels (4,) to the label ring, frame p
of each with frame id p. After E epochs of SAMPLES it writes one more epoch of T samples (2000 by
default, 0 for none) the trainer does not train on but measures its accuracy with. It prints, per
epoch, "epoch E: wrote N samples, checksum X" ("test: ..." for the last), then "wrote N samples,
checksum X" for all: the count and an order-dependent FNV-1a of every value's bits, features
then label, which the Java side (SampleChecksum) computes the same way.
"""
import argparse
import sys

import numpy as np
import arrow_shm

FEATURES, CLASSES = 16, 4
END_OF_EPOCH = 2**64 - 1
TIMEOUT = 120.0
FNV_OFFSET, FNV_PRIME, MASK = 0xCBF29CE484222325, 0x100000001B3, 2**64 - 1


class Checksum:
    def __init__(self):
        self.hash, self.count = FNV_OFFSET, 0

    def add(self, samples):
        h = self.hash
        for byte in samples.astype("<f4").tobytes():
            h = ((h ^ byte) * FNV_PRIME) & MASK
        self.hash, self.count = h, self.count + len(samples)

    def __str__(self):
        return f"{self.count} samples, checksum {self.hash:016x}"


def samples(seed, weights, epoch, count):
    """Epoch EPOCH's samples (rows: features, then the one-hot label), a function of the seed."""
    features = np.random.default_rng([seed, epoch]).standard_normal((count, FEATURES)).astype(np.float32)
    labels = np.eye(CLASSES, dtype=np.float32)[np.argmax(features @ weights.T, axis=1)]
    return np.concatenate([features, labels], axis=1)


def main(argv):
    args = argparse.ArgumentParser()
    args.add_argument("ring")
    args.add_argument("samples", type=int)
    args.add_argument("--labels")
    args.add_argument("--epochs", type=int, default=1)
    args.add_argument("--test", type=int, default=2000)
    args.add_argument("--seed", type=int, default=42)
    a = args.parse_args(argv)
    weights = np.random.default_rng(a.seed).standard_normal((CLASSES, FEATURES)).astype(np.float32)
    rings = [arrow_shm.Ring.open(a.ring)] + ([arrow_shm.Ring.open(a.labels)] if a.labels else [])
    writers = [ring.writer(timeout=TIMEOUT) for ring in rings]
    total, index = Checksum(), 0
    try:
        epochs = [(e, a.samples) for e in range(a.epochs)] + ([("test", a.test)] if a.test > 0 else [])
        for epoch, count in epochs:
            rows = samples(a.seed, weights, a.epochs if epoch == "test" else epoch, count)
            for row in rows:
                if len(writers) == 1:
                    writers[0].write(row, frame_id=index, timeout=TIMEOUT)
                else:
                    writers[0].write(row[:FEATURES], frame_id=index, timeout=TIMEOUT)
                    writers[1].write(row[FEATURES:], frame_id=index, timeout=TIMEOUT)
                index += 1
            for writer, ring in zip(writers, rings):
                writer.write(np.zeros(ring.shape, np.float32), frame_id=END_OF_EPOCH, timeout=TIMEOUT)
            epoch_sum = Checksum()
            epoch_sum.add(rows)
            total.add(rows)
            print(f"{'test' if epoch == 'test' else f'epoch {epoch}'}: wrote {epoch_sum}", flush=True)
        print(f"wrote {total}", flush=True)
    finally:
        for writer in writers:
            writer.close()
        for ring in rings:
            ring.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
