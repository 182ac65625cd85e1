package io.arrowshm.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** How the cross-process stages report several rounds of one case: by the round whose figure is the median. */
public final class Rounds {
    private Rounds() {
    }

    /** The round whose {@code figure} is the median of all rounds' (the lower middle one for an even count). */
    public static <T> T median(List<T> rounds, ToDoubleFunction<T> figure) {
        List<T> sorted = new ArrayList<>(rounds);
        sorted.sort(Comparator.comparingDouble(figure));
        return sorted.get((sorted.size() - 1) / 2);
    }
}
