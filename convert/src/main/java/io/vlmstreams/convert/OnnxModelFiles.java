package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes an ONNX model to disk, moving large initializers to one external data file beside it
 * ({@code <file>.onnx_data}, the name transformers.js and ONNX Runtime look for), following the ONNX
 * external-data convention: {@code data_location = EXTERNAL} and {@code external_data} entries
 * {@code location}, {@code offset}, {@code length}, each tensor starting at a 4096-byte boundary so
 * runtimes can map it. Tensors are streamed to the data file one by one and only the small
 * remainder is serialized as protobuf, so models far beyond protobuf's 2 GB limit can be written.
 */
public final class OnnxModelFiles {

    /** Byte boundary each external tensor starts on. */
    public static final int ALIGNMENT = 4096;

    /** What was written: the model file, the external data file (null when none) and their sizes. */
    public record SavedModel(Path onnxFile, Path dataFile, long onnxBytes, long externalBytes, int externalTensors) {
        public boolean hasExternalData() {
            return dataFile != null;
        }
    }

    private OnnxModelFiles() {
    }

    /** External data file name for a model file name: {@code x.onnx -> x.onnx_data}. */
    public static String dataFileName(String onnxFileName) {
        return onnxFileName + "_data";
    }

    /**
     * Writes {@code model} to {@code onnxFile}; every initializer held as raw_data of more than
     * {@code externalThresholdBytes} bytes goes to {@code onnxFile + "_data"} instead. A stale data
     * file from an earlier write is removed when nothing goes external.
     */
    public static SavedModel save(ModelProto model, Path onnxFile, long externalThresholdBytes) {
        Path dataFile = onnxFile.resolveSibling(dataFileName(onnxFile.getFileName().toString()));
        try {
            Path parent = onnxFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.deleteIfExists(dataFile);
            GraphProto graph = model.getGraph();
            GraphProto.Builder kept = graph.toBuilder();
            long externalBytes = 0;
            int externalTensors = 0;
            FileChannel data = null;
            try {
                for (int i = 0; i < graph.getInitializerCount(); i++) {
                    TensorProto t = graph.getInitializer(i);
                    ByteString raw = t.getRawData();
                    if (raw.size() <= externalThresholdBytes || raw.isEmpty()) {
                        continue;
                    }
                    if (data == null) {
                        data = FileChannel.open(dataFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    }
                    long offset = align(data.position());
                    writeAt(data, raw, offset);
                    externalBytes = offset + raw.size();
                    externalTensors++;
                    kept.setInitializer(i, t.toBuilder()
                            .clearRawData()
                            .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                            .addExternalData(entry("location", dataFile.getFileName().toString()))
                            .addExternalData(entry("offset", Long.toString(offset)))
                            .addExternalData(entry("length", Long.toString(raw.size())))
                            .build());
                }
            } finally {
                if (data != null) {
                    data.force(false);
                    data.close();
                }
            }
            ModelProto small = model.toBuilder().setGraph(kept).build();
            try (OutputStream os = Files.newOutputStream(onnxFile)) {
                small.writeTo(os);
            }
            return new SavedModel(onnxFile, externalTensors > 0 ? dataFile : null, Files.size(onnxFile),
                    externalBytes, externalTensors);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + onnxFile + ": " + e.getMessage(), e);
        }
    }

    private static long align(long position) {
        return (position + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeAt(FileChannel ch, ByteString bytes, long offset) throws IOException {
        // asReadOnlyByteBufferList avoids copying ByteStrings that are ropes of several chunks
        long pos = offset;
        for (ByteBuffer buf : bytes.asReadOnlyByteBufferList()) {
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
        }
        ch.position(pos);
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
