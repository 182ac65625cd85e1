package io.arrowshm.benchmarks.report;

/** A case that produced no figure, and why (no python, a crashed peer, ...). */
public record Skipped(String what, String reason) {
}
