package io.vlmstreams.devstack.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

class SampleImagesTest {

    @Test
    void namesEveryShippedImageAndNothingElse() throws IOException, URISyntaxException {
        Path folder = Path.of(SampleImages.class.getResource("LICENSES.md").toURI()).getParent();
        try (Stream<Path> files = Files.list(folder)) {
            List<String> images = files.map(p -> p.getFileName().toString())
                    .filter(n -> SampleImages.mediaType(n) != null).sorted().toList();
            assertThat(SampleImages.NAMES).containsExactlyInAnyOrderElementsOf(images);
        }
        String licenses = Files.readString(folder.resolve("LICENSES.md"));
        assertThat(SampleImages.NAMES).allSatisfy(name -> assertThat(licenses).contains("| " + name + " |"));
    }

    @Test
    void everySampleDecodesAsAnImage() throws IOException {
        for (SampleImages.Sample s : SampleImages.all()) {
            assertThat(s.mediaType()).as(s.name()).startsWith("image/");
            assertThat(ImageIO.read(new ByteArrayInputStream(s.bytes()))).as(s.name()).isNotNull();
        }
    }
}
