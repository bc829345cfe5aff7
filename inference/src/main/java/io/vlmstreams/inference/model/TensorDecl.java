package io.vlmstreams.inference.model;

import java.util.List;

/**
 * A graph input or output as the .onnx file declares it: element type ({@code float32},
 * {@code float16}, {@code int64}, ...) and shape, each dimension its size or its symbolic name
 * ({@code batch_size}), {@code ?} when the file says neither.
 */
public record TensorDecl(String name, String elementType, List<String> shape) {

    public TensorDecl {
        shape = List.copyOf(shape);
    }

    /** E.g. {@code pixel_values float32 [batch_size, num_patches, 768]}. */
    @Override
    public String toString() {
        return name + " " + elementType + " [" + String.join(", ", shape) + "]";
    }
}
