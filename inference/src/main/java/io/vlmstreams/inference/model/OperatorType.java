package io.vlmstreams.inference.model;

/**
 * An operator as a graph names it: domain and type, e.g. {@code com.microsoft} /
 * {@code GroupQueryAttention}. The default ONNX domain, which files write as the empty string,
 * is {@value #ONNX}.
 */
public record OperatorType(String domain, String name) implements Comparable<OperatorType> {

    /** The standard operator set. */
    public static final String ONNX = "ai.onnx";
    /** ONNX Runtime's contrib operators (GroupQueryAttention, MatMulNBits, ...). */
    public static final String MICROSOFT = "com.microsoft";

    public OperatorType {
        domain = domainOf(domain);
    }

    /** {@code domain} as this type names it: the empty (default) domain is {@value #ONNX}. */
    public static String domainOf(String domain) {
        return domain == null || domain.isEmpty() ? ONNX : domain;
    }

    public static OperatorType onnx(String name) {
        return new OperatorType(ONNX, name);
    }

    public static OperatorType microsoft(String name) {
        return new OperatorType(MICROSOFT, name);
    }

    @Override
    public int compareTo(OperatorType o) {
        int d = domain.compareTo(o.domain);
        return d != 0 ? d : name.compareTo(o.name);
    }

    /** {@code MatMul} for standard operators, {@code com.microsoft.MatMulNBits} for others. */
    @Override
    public String toString() {
        return domain.equals(ONNX) ? name : domain + "." + name;
    }
}
