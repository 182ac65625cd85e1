package io.arrowshm.benchmarks.report;

import java.util.List;
import java.util.Optional;

/** Everything one run produced: what {@code results.json} holds. */
public record Results(String mode, String caveat, Machine machine, double seconds, List<OpFigure> operations,
        List<RoundTrip> roundTrips, List<Throughput> throughputs, List<TargetResult> targets, List<Skipped> skipped) {

    public Optional<OpFigure> operation(String impl, String op, String shape) {
        return operations.stream().filter(f -> f.impl().equals(impl) && f.op().equals(op) && f.shape().equals(shape))
                .findFirst();
    }

    public Optional<RoundTrip> roundTrip(String caseId) {
        return roundTrips.stream().filter(r -> r.caseId().equals(caseId)).findFirst();
    }

    public Optional<Throughput> throughput(String caseId) {
        return throughputs.stream().filter(t -> t.caseId().equals(caseId)).findFirst();
    }
}
