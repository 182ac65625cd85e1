package io.arrowshm.cli;

import io.arrowshm.StreamInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code list} and {@code stat} report about a stream: pyshmem's {@code stat()} keys,
 * in that order, plus the age of the last write and the metadata version. One map serves
 * both the JSON and the text forms, so they never disagree.
 */
final class StreamFields {
    private StreamFields() {
    }

    static Map<String, Object> of(StreamInfo info) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", info.name());
        fields.put("shape", info.shape());
        fields.put("dtype", info.dtype().numpyName());
        fields.put("size", info.size());
        fields.put("gpu_enabled", info.gpuEnabled());
        fields.put("gpu_device", info.gpuDevice().orElse(null));
        fields.put("cpu_mirror", info.cpuMirror());
        fields.put("notify", info.notifyEnabled());
        fields.put("instance_id", info.instanceId().orElse(null));
        fields.put("creator_pid", info.creatorPid());
        fields.put("creator_alive", info.creatorAlive());
        fields.put("count", info.count());
        fields.put("write_sequence", info.writeSequence());
        fields.put("write_time", info.writeTime());
        double age = Units.ageSeconds(info.writeTime());
        fields.put("age", Double.isInfinite(age) ? null : age);
        fields.put("metadata_version", info.metadataVersion());
        return fields;
    }

    /** The short flag list of the {@code list} table: notify, gpu device, mirror, legacy layout. */
    static String flags(StreamInfo info) {
        StringBuilder flags = new StringBuilder();
        if (info.notifyEnabled()) {
            flags.append("notify");
        }
        info.gpuDevice().ifPresent(device -> flags.append(flags.length() > 0 ? "," : "").append("gpu=").append(device));
        if (info.gpuEnabled() && info.cpuMirror()) {
            flags.append(",mirror");
        }
        if (info.metadataVersion() != 3) {
            flags.append(flags.length() > 0 ? "," : "").append("v").append(info.metadataVersion());
        }
        return flags.length() == 0 ? "-" : flags.toString();
    }
}
