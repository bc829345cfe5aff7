package io.vlmstreams.inference.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Hugging Face fast tokenizer ({@code tokenizer.json}) through DJL's bindings to the Rust
 * tokenizers library. {@link #encode} adds no special tokens, no truncation and no padding: the
 * upstream LFM2-VL processor tokenizes the chat-templated text as is, its {@code <|startoftext|>}
 * being the only BOS. Thread-safe: the native tokenizer is shared read-only; closing waits for
 * calls in flight.
 */
public final class TextTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerVocabulary vocabulary;
    // Encodes share the native handle; close must not free it under a running call.
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, TokenizerVocabulary vocabulary) {
        this.tokenizer = tokenizer;
        this.vocabulary = vocabulary;
    }

    static {
        // DJL's tokenizers ask the EC2 metadata endpoint about the host on first use (usage tracking);
        // a stream processor has no business calling out, and where the address is filtered the
        // call costs start-up time. Users who want the tracking set OPT_OUT_TRACKING=false.
        if (System.getenv("OPT_OUT_TRACKING") == null && System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    /** Loads {@code tokenizer.json}. */
    public static TextTokenizer open(Path tokenizerJson) {
        TokenizerVocabulary vocabulary = TokenizerVocabulary.read(tokenizerJson);
        try {
            // The file, not its folder: given a folder DJL would also apply tokenizer_config.json
            // settings (model_max_length, ...), which the upstream processor does not use here.
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .optWithOverflowingTokens(false)
                    .build();
            return new TextTokenizer(tokenizer, vocabulary);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    /** Token ids of {@code text}; special tokens written in the text (e.g. {@code <image>}) map to their ids. */
    public long[] encode(String text) {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            Encoding encoding = tokenizer.encode(text, false, false);
            return encoding.getIds();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Text of {@code ids}; with {@code skipSpecial} the special tokens are left out. */
    public String decode(long[] ids, boolean skipSpecial) {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            return tokenizer.decode(ids, skipSpecial);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** The id of {@code token} as written in the vocabulary (e.g. {@code <|im_end|>}). */
    public OptionalInt findTokenId(String token) {
        return vocabulary.find(token);
    }

    /** The id of {@code token}; fails when the vocabulary lacks it. */
    public int tokenId(String token) {
        return vocabulary.find(token).orElseThrow(
                () -> new IllegalArgumentException("token '" + token + "' is not in the tokenizer's vocabulary"));
    }

    /** Number of ids the tokenizer can produce (model vocabulary plus added tokens). */
    public int vocabSize() {
        return vocabulary.size();
    }

    public TokenizerVocabulary vocabulary() {
        return vocabulary;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("tokenizer is closed");
        }
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                tokenizer.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
