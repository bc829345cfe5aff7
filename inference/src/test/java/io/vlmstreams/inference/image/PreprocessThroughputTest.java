package io.vlmstreams.inference.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmstreams.devstack.Fixtures;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Prints decode and preprocess times for the fixture photos (figures only; nothing timed is asserted). */
class PreprocessThroughputTest {

    @Test
    void printsMillisecondsPerImage() throws Exception {
        ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());
        ImageProcessor processor = new ImageProcessor(ImageProcessorConfig.defaults());
        for (String name : new String[] {"Storm.jpg", "Garden.jpg", "motorcycle_right.png"}) {
            byte[] bytes = Files.readAllBytes(Fixtures.upstream().resolve("images").resolve(name));
            int tiles = 0;
            for (int i = 0; i < 3; i++) { // warm-up
                tiles = processor.process(decoder.decode(bytes)).tiles();
            }
            int runs = 5;
            long decodeNs = 0;
            long processNs = 0;
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                DecodedImage img = decoder.decode(bytes);
                long t1 = System.nanoTime();
                tiles = processor.process(img).tiles();
                processNs += System.nanoTime() - t1;
                decodeNs += t1 - t0;
            }
            System.out.printf("throughput %-22s tiles %2d  decode %6.1f ms  preprocess %6.1f ms%n",
                    name, tiles, decodeNs / 1e6 / runs, processNs / 1e6 / runs);
            assertThat(tiles).isPositive();
        }
    }
}
