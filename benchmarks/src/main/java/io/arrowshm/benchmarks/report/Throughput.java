package io.arrowshm.benchmarks.report;

import java.util.List;

/**
 * One lossless throughput figure: frames per second that every reader received, each checked,
 * or for a memcpy reference, frames copied per second by one thread. With several rounds, the
 * round with the median rate is reported and every round's rate is listed.
 *
 * @param caseId        stable key, e.g. {@code ring-4r-64KiB}, {@code agrona-1r-97}, {@code glibc-memcpy-hot-4MiB}
 * @param transport     {@code ring}, {@code agrona} or {@code glibc-memcpy}
 * @param frame         the frame size's label: {@code 97} (float32), {@code 64KiB}, {@code 4MiB}
 * @param readers       reader processes (0 for a memcpy reference)
 * @param frames        frames measured in the reported round (after the warm-up)
 * @param roundFramesPerSecond every round's rate, in the order the rounds ran
 */
public record Throughput(String caseId, String transport, String frame, long frameBytes, int readers,
        double framesPerSecond, long frames, List<Double> roundFramesPerSecond, String description) {

    /** The stream's bytes per second, decimal GB (each reader receives this much). */
    public double gigabytesPerSecond() {
        return framesPerSecond * frameBytes / 1e9;
    }

    public boolean valid() {
        return frames > 0 && Double.isFinite(framesPerSecond) && framesPerSecond > 0;
    }
}
