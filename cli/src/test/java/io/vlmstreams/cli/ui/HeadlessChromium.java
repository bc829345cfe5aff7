package io.vlmstreams.cli.ui;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's {@code chromium} driven through its {@code chromedriver} (paths overridable with
 * {@code -Dvlm.chromium} and {@code -Dvlm.chromedriver}), headless, for the live view's browser tests.
 * Nothing is downloaded: Selenium is given the driver, so its driver manager never runs.
 */
public final class HeadlessChromium {

    private static final Path CHROMIUM = Path.of(System.getProperty("vlm.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("vlm.chromedriver", "/usr/bin/chromedriver"));

    private HeadlessChromium() {
    }

    /** Skips the calling test, saying why, where Chromium or chromedriver is not installed. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no Chromium: install Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver) "
                        + "to run the live view's browser tests; looked for " + CHROMIUM + " and " + CHROMEDRIVER);
    }

    /** A fresh headless browser; the caller quits it. */
    public static ChromeDriver start() {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,1500");
        return new ChromeDriver(service, options);
    }

    /** Whether {@code img} finished loading. */
    public static boolean loaded(ChromeDriver browser, WebElement img) {
        return Boolean.TRUE.equals(((JavascriptExecutor) browser).executeScript("return arguments[0].complete;", img));
    }

    /** The decoded width of {@code img}: 0 when the bytes did not decode as an image. */
    public static long naturalWidth(ChromeDriver browser, WebElement img) {
        return ((Number) ((JavascriptExecutor) browser).executeScript("return arguments[0].naturalWidth;", img)).longValue();
    }
}
