package io.vlmstreams.inference.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Encoded bytes to an 8-bit RGB raster through ImageIO (JDK PNG/GIF, TwelveMonkeys JPEG, WebP,
 * BMP), everyday PNGs through {@link PngFastPath}. Size limits are checked against the payload and the dimensions the header declares
 * before any pixel is decoded. Every failure surfaces as an {@link ImageException}. Only the first
 * frame of animated files is read. Thread-safe.
 */
public final class ImageDecoder {

    static {
        // Registers the TwelveMonkeys plugins even when ImageIO was first touched under another class loader.
        ImageIO.scanForPlugins();
    }

    private final ImageLimits limits;

    public ImageDecoder(ImageLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public ImageLimits limits() {
        return limits;
    }

    /** Decodes {@code bytes}, converts to RGB like PIL and, if enabled, applies the EXIF orientation. */
    public DecodedImage decode(byte[] bytes) throws ImageException {
        checkPayload(bytes);
        DecodedImage image = decodeFirstFrame(JpegIccStripper.strip(bytes));
        if (limits.applyExifOrientation()) {
            image = ExifOrientation.apply(image, ExifOrientation.read(bytes));
        }
        return image;
    }

    /** A width and height in pixels. */
    public record Size(int width, int height) { }

    /**
     * The size {@link #decode} gives {@code bytes} (EXIF orientation applied when enabled, so width
     * and height swap for a rotated photo), from the header alone: no pixel is decoded. The same
     * limits are checked; a header that cannot be read fails as {@link #decode} would.
     */
    public Size size(byte[] bytes) throws ImageException {
        checkPayload(bytes);
        byte[] stripped = JpegIccStripper.strip(bytes);
        PngFastPath.Header png = PngFastPath.header(stripped);
        Size size;
        if (png != null) {
            checkDimensions("png", png.width(), png.height());
            size = new Size(png.width(), png.height());
        } else {
            size = headerSize(stripped);
        }
        if (limits.applyExifOrientation() && ExifOrientation.read(bytes) >= 5) {
            // orientations 5 to 8 transpose the raster
            size = new Size(size.height(), size.width());
        }
        return size;
    }

    private void checkPayload(byte[] bytes) throws ImageException {
        if (bytes == null || bytes.length == 0) {
            throw new ImageException(ImageException.Kind.UNDECODABLE, "empty image payload");
        }
        if (bytes.length > limits.maxBytes()) {
            throw new ImageException(ImageException.Kind.TOO_LARGE,
                    "payload of " + bytes.length + " bytes exceeds the limit of " + limits.maxBytes());
        }
    }

    private Size headerSize(byte[] bytes) throws ImageException {
        String format = "unknown";
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = reader(in, bytes);
            format = reader.getFormatName().toLowerCase(Locale.ROOT);
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkDimensions(format, width, height);
                return new Size(width, height);
            } finally {
                reader.dispose();
            }
        } catch (ImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw unreadable(format, e);
        }
    }

    private static ImageReader reader(ImageInputStream in, byte[] bytes) throws ImageException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageException(ImageException.Kind.UNDECODABLE,
                    "not a recognised image format (first bytes " + hexPrefix(bytes) + ")");
        }
        return readers.next();
    }

    private static ImageException unreadable(String format, Exception e) {
        // Plugins signal corrupt data with IIOException, EOFException, but also with
        // IndexOutOfBounds, IllegalArgument, NegativeArraySize...: all mean the bytes are bad,
        // except when the plugin says the (valid) variant is not implemented.
        ImageException.Kind kind = isUnsupported(e) ? ImageException.Kind.UNSUPPORTED : ImageException.Kind.UNDECODABLE;
        return new ImageException(kind, "cannot decode " + format + " image: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
    }

    private DecodedImage decodeFirstFrame(byte[] bytes) throws ImageException {
        PngFastPath.Header png = PngFastPath.header(bytes);
        if (png != null) {
            checkDimensions("png", png.width(), png.height());
            try {
                DecodedImage fast = PngFastPath.decode(bytes, png);
                if (fast != null) {
                    return fast;
                }
            } catch (OutOfMemoryError e) {
                throw new ImageException(ImageException.Kind.TOO_LARGE, "decoding png ran out of memory", e);
            }
        }
        String format = "unknown";
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = reader(in, bytes);
            format = reader.getFormatName().toLowerCase(Locale.ROOT);
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkDimensions(format, width, height);
                AtomicReference<String> truncation = new AtomicReference<>();
                reader.addIIOReadWarningListener((source, warning) -> {
                    // libjpeg only warns on a cut-off file and fills the rest with gray; PIL refuses such files.
                    String w = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
                    if (w.contains("premature end") || w.contains("truncat")) {
                        truncation.set(warning);
                    }
                });
                BufferedImage img = reader.read(0, reader.getDefaultReadParam());
                if (truncation.get() != null) {
                    throw new ImageException(ImageException.Kind.UNDECODABLE,
                            format + " data is truncated (" + truncation.get() + ")");
                }
                if (img.getWidth() != width || img.getHeight() != height) {
                    checkDimensions(format, img.getWidth(), img.getHeight());
                }
                return new DecodedImage(img.getWidth(), img.getHeight(), RgbConverter.toRgb(img));
            } finally {
                reader.dispose();
            }
        } catch (ImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw unreadable(format, e);
        } catch (OutOfMemoryError e) {
            throw new ImageException(ImageException.Kind.TOO_LARGE, "decoding " + format + " ran out of memory", e);
        }
    }

    private void checkDimensions(String format, int width, int height) throws ImageException {
        if (width <= 0 || height <= 0) {
            throw new ImageException(ImageException.Kind.UNDECODABLE,
                    format + " header declares an empty image " + width + "x" + height);
        }
        if (width > limits.maxSide() || height > limits.maxSide()) {
            throw new ImageException(ImageException.Kind.TOO_LARGE, format + " image of " + width + "x" + height
                    + " exceeds the side limit of " + limits.maxSide());
        }
        if ((long) width * height > limits.maxPixels()) {
            throw new ImageException(ImageException.Kind.TOO_LARGE, format + " image of " + width + "x" + height
                    + " has " + (long) width * height + " pixels, over the limit of " + limits.maxPixels());
        }
    }

    private static boolean isUnsupported(Exception e) {
        if (e instanceof UnsupportedOperationException) {
            return true;
        }
        String m = e.getMessage();
        return m != null && m.toLowerCase(Locale.ROOT).contains("unsupported");
    }

    private static String hexPrefix(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            sb.append(String.format("%02x", bytes[i] & 0xFF));
        }
        return sb.toString();
    }
}
