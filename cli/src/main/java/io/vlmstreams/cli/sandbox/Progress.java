package io.vlmstreams.cli.sandbox;

/**
 * Where a sandbox run stands.
 *
 * @param sent          events produced
 * @param answered      answers read back (read_committed)
 * @param deadLettered  dead letters read back
 * @param answersPerSec answers per second since the first event was sent
 */
public record Progress(int sent, int answered, int deadLettered, double answersPerSec) {

    /** Whether every event sent has come back, answered or dead-lettered. */
    public boolean settled() {
        return answered + deadLettered >= sent;
    }

    /** The progress line the sandbox prints. */
    public String line() {
        return String.format("progress: sent %d, answered %d, dead-lettered %d, %.2f answers/s",
                sent, answered, deadLettered, answersPerSec);
    }
}
