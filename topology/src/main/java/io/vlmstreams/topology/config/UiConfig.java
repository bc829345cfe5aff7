package io.vlmstreams.topology.config;

/**
 * The live view's settings ({@code ui.*}): whether {@code run} serves it, on which address of the
 * metrics port it answers, whether images by reference are shown through their URL, and how much
 * it keeps in memory (entries and inline image bytes, oldest dropped first).
 */
public record UiConfig(boolean enabled, String bindAddress, boolean showReferencedImages, int maxEntries,
                       long maxImageBytes) {

    static UiConfig read(SettingValues app) {
        return new UiConfig(app.bool(Settings.UI_ENABLED), app.string(Settings.UI_BIND_ADDRESS),
                app.bool(Settings.UI_SHOW_REFERENCED_IMAGES), app.integer(Settings.UI_MAX_ENTRIES),
                app.longValue(Settings.UI_MAX_IMAGE_BYTES));
    }
}
