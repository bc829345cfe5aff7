package io.vlmstreams.inference.model;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a ModelProto field by field (field numbers from onnx.proto) so that tensor data, which is
 * nearly all of a model file, is skipped rather than read or held: {@link CodedInputStream} skips
 * a length-delimited field through {@link InputStream#skip}, a seek on a file. Small messages
 * (value infos, opset ids) are parsed with the generated {@link OnnxMl} classes.
 */
final class OnnxProtoParser {

    private static final int BUFFER = 1 << 16;
    // Long string attributes (embedded docs, serialized blobs) are not kept.
    private static final int MAX_STRING_ATTRIBUTE = 256;

    private final CodedInputStream in;
    private final List<GraphNode> nodes = new ArrayList<>();
    private final Set<String> initializerNames = new HashSet<>();
    private final Map<String, TensorDecl> initializerDecls = new LinkedHashMap<>();
    private final Set<String> externalFiles = new HashSet<>();
    private final List<TensorDecl> inputs = new ArrayList<>();
    private final List<TensorDecl> outputs = new ArrayList<>();
    private final Map<String, Long> opsets = new LinkedHashMap<>();
    private int initializers;
    private long inlineBytes;
    private long externalBytes;

    OnnxProtoParser(InputStream stream) {
        this.in = CodedInputStream.newInstance(stream, BUFFER);
        this.in.setSizeLimit(Integer.MAX_VALUE);
        this.in.setRecursionLimit(1000);
    }

    GraphInfo parse(Path file) throws IOException {
        long irVersion = 0;
        String producerName = "";
        String producerVersion = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (field(tag)) {
                case 1 -> irVersion = in.readInt64();
                case 2 -> producerName = in.readString();
                case 3 -> producerVersion = in.readString();
                case 7 -> message(tag, () -> graph(0, true));
                case 8 -> {
                    OnnxMl.OperatorSetIdProto op = OnnxMl.OperatorSetIdProto.parseFrom(in.readBytes());
                    opsets.put(OperatorType.domainOf(op.getDomain()), op.getVersion());
                }
                case 25 -> message(tag, () -> function());
                default -> in.skipField(tag);
            }
        }
        List<TensorDecl> fed = inputs.stream().filter(t -> !initializerNames.contains(t.name())).toList();
        String producer = (producerName + " " + producerVersion).trim();
        return new GraphInfo(file, irVersion, producer, opsets, fed, outputs, nodes,
                new GraphInfo.Weights(initializers, inlineBytes, externalBytes, externalFiles), initializerDecls);
    }

    /** GraphProto: node 1, initializer 5, input 11, output 12, sparse_initializer 15. */
    private void graph(int depth, boolean main) throws IOException {
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (field(tag)) {
                case 1 -> message(tag, () -> node(depth));
                case 5 -> message(tag, this::initializer);
                case 11 -> valueInfo(tag, main ? inputs : null);
                case 12 -> valueInfo(tag, main ? outputs : null);
                case 15 -> {
                    initializers++;
                    inlineBytes += skipLengthDelimited(tag);
                }
                default -> in.skipField(tag);
            }
        }
    }

    /** FunctionProto (a model-local function): node 7; its nodes count one level deeper. */
    private void function() throws IOException {
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (field(tag) == 7) {
                message(tag, () -> node(1));
            } else {
                in.skipField(tag);
            }
        }
    }

    /** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7. */
    private void node(int depth) throws IOException {
        List<String> ins = new ArrayList<>();
        List<String> outs = new ArrayList<>();
        Map<String, Long> ints = new HashMap<>();
        Map<String, String> strings = new HashMap<>();
        String name = "";
        String opType = "";
        String domain = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (field(tag)) {
                case 1 -> ins.add(in.readString());
                case 2 -> outs.add(in.readString());
                case 3 -> name = in.readString();
                case 4 -> opType = in.readString();
                case 5 -> message(tag, () -> attribute(depth, ints, strings));
                case 7 -> domain = in.readString();
                default -> in.skipField(tag);
            }
        }
        nodes.add(new GraphNode(name, new OperatorType(domain, opType), ins, outs, ints, strings, depth));
    }

    /** AttributeProto: name 1, i 3, s 4, g 6, graphs 11; tensors and the rest are skipped. */
    private void attribute(int depth, Map<String, Long> ints, Map<String, String> strings) throws IOException {
        String name = "";
        Long i = null;
        String s = null;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (field(tag)) {
                case 1 -> name = in.readString();
                case 3 -> i = in.readInt64();
                case 4 -> {
                    int length = in.readRawVarint32();
                    if (length <= MAX_STRING_ATTRIBUTE) {
                        s = new String(in.readRawBytes(length), StandardCharsets.UTF_8);
                    } else {
                        in.skipRawBytes(length);
                    }
                }
                case 6, 11 -> message(tag, () -> graph(depth + 1, false));
                default -> in.skipField(tag);
            }
        }
        if (i != null) {
            ints.put(name, i);
        }
        if (s != null) {
            strings.put(name, s);
        }
    }

    /** TensorProto: dims 1, data_type 2, name 8, external_data 13, data_location 14; data fields are measured and skipped. */
    private void initializer() throws IOException {
        initializers++;
        String name = "";
        List<String> dims = new ArrayList<>();
        int dataType = 0;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (field(tag)) {
                case 1 -> dims(tag, dims);
                case 2 -> dataType = in.readInt32();
                case 8 -> name = in.readString();
                case 4, 5, 6, 7, 9, 10, 11 -> inlineBytes += skipLengthDelimited(tag);
                case 13 -> {
                    OnnxMl.StringStringEntryProto e = OnnxMl.StringStringEntryProto.parseFrom(in.readBytes());
                    if (e.getKey().equals("location")) {
                        externalFiles.add(e.getValue());
                    } else if (e.getKey().equals("length")) {
                        externalBytes += parseLong(e.getValue());
                    }
                }
                default -> in.skipField(tag);
            }
        }
        initializerNames.add(name);
        initializerDecls.put(name, new TensorDecl(name, elementType(dataType), dims));
    }

    /** A repeated int64 field, packed or not. */
    private void dims(int tag, List<String> into) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int old = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                into.add(Long.toString(in.readInt64()));
            }
            in.popLimit(old);
        } else {
            into.add(Long.toString(in.readInt64()));
        }
    }

    private void valueInfo(int tag, List<TensorDecl> into) throws IOException {
        if (into == null || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            in.skipField(tag);
            return;
        }
        into.add(decl(OnnxMl.ValueInfoProto.parseFrom(in.readBytes())));
    }

    private static TensorDecl decl(OnnxMl.ValueInfoProto v) {
        OnnxMl.TypeProto type = v.getType();
        if (!type.hasTensorType()) {
            return new TensorDecl(v.getName(), type.getValueCase().name().toLowerCase(Locale.ROOT), List.of());
        }
        OnnxMl.TypeProto.Tensor t = type.getTensorType();
        List<String> shape = new ArrayList<>();
        for (OnnxMl.TensorShapeProto.Dimension d : t.getShape().getDimList()) {
            shape.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.hasDimParam() ? d.getDimParam() : "?");
        }
        return new TensorDecl(v.getName(), elementType(t.getElemType()), shape);
    }

    /** ONNX element type names as this project writes them: float32, float16, int64, ... */
    static String elementType(int code) {
        OnnxMl.TensorProto.DataType t = OnnxMl.TensorProto.DataType.forNumber(code);
        if (t == null) {
            return "type" + code;
        }
        return switch (t) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }

    /** Parses a length-delimited field's content with {@code body} inside a limit; skips a field of another wire type. */
    private void message(int tag, Body body) throws IOException {
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            in.skipField(tag);
            return;
        }
        int length = in.readRawVarint32();
        int old = in.pushLimit(length);
        body.run();
        in.checkLastTagWas(0);
        in.popLimit(old);
    }

    /** Skips a field, returning its payload size when length-delimited (tensor data) and 0 otherwise. */
    private long skipLengthDelimited(int tag) throws IOException {
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            in.skipField(tag);
            return 0;
        }
        int length = in.readRawVarint32();
        in.skipRawBytes(length);
        return length;
    }

    private static int field(int tag) {
        return WireFormat.getTagFieldNumber(tag);
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @FunctionalInterface
    private interface Body {
        void run() throws IOException;
    }
}
