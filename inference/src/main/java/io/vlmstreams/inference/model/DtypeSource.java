package io.vlmstreams.inference.model;

/** Where the dtype a folder was opened with came from. */
public enum DtypeSource {
    /** The caller named it (a command-line option, a configuration key). */
    ASKED("asked"),
    /** The folder's config.json, {@code transformers.js_config.dtype}, because the caller left it to the folder. */
    FOLDER("from config.json transformers.js_config.dtype"),
    /** Neither said: fp32, as in transformers.js. */
    DEFAULT("default");

    private final String description;

    DtypeSource(String description) {
        this.description = description;
    }

    /** A few words for logs and {@code model inspect}. */
    public String description() {
        return description;
    }
}
