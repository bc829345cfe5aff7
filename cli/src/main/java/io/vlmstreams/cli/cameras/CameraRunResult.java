package io.vlmstreams.cli.cameras;

import java.util.Map;

/**
 * What one camera-bench run measured.
 *
 * @param sent            frames the cameras sent (acknowledged by the broker)
 * @param answered        distinct frames answered (committed)
 * @param dropped         dead letters by reason (committed)
 * @param duplicates      answers or dead letters seen twice for one frame (exactly-once says 0)
 * @param latency         event time to the answer being readable (read_committed), ms
 * @param ageAtAnswer     event time to the answer's append on the broker (LogAppendTime), ms
 * @param outOfOrder      answers of a camera that arrived before an earlier frame's answer
 * @param service         per answer, its batch's preprocess + encode + decode time (Answer.timings), ms:
 *                        the service time of one batch as the application saw it during the run
 */
public record CameraRunResult(String label, boolean feedSettings, double framesPerSecond, int sent, int answered,
                              Map<String, Integer> dropped, int duplicates, LatencyStats latency, LatencyStats ageAtAnswer,
                              int outOfOrder, double seconds, LatencyStats service) {

    /** Dead letters of every reason. */
    public int droppedTotal() {
        return dropped.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Whether every frame is accounted for exactly once. */
    public boolean accounted() {
        return answered + droppedTotal() == sent && duplicates == 0;
    }
}
