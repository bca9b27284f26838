package io.aix.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The sync-health page in a real browser: Debian's chromium, driven by chromedriver through
 * Selenium, against a running demo (both sandbox CRMs, 300 leads each). The charts must be drawn
 * with the demo's data, which the screenshot shows in pixels, not only in markup. The screenshot is
 * kept as {@code target/sync-health.png}.
 */
class SyncHealthBrowserIT {
  static final int LEADS = 300;
  static final Path SCREENSHOT = Path.of("target/sync-health.png");
  static Process demo;
  static String url;
  static Path err;

  @BeforeAll
  static void startDemo() throws Exception {
    assertThat(Path.of("/usr/bin/chromium"))
        .as("Debian's chromium (apt-get install chromium chromium-driver; .ci/run does it)")
        .exists();
    assertThat(Path.of("/usr/bin/chromedriver")).exists();
    DemoIT.demoDatabaseExists();
    err = Files.createTempFile("aix-ui", ".err");
    demo =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.profile=demo",
                "-Dquarkus.http.port=0",
                "-Daix.ui.port=0",
                "-Daix.cluster.file-root=target/ui-it-cluster",
                "-jar",
                DemoIT.JAR.toString(),
                "demo",
                "--leads",
                String.valueOf(LEADS))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile())
            .start();
    Pattern ready = Pattern.compile("Sync health: (http://localhost:\\d+/sync-health)");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (System.nanoTime() < deadline && demo.isAlive()) {
      Matcher m = ready.matcher(Files.readString(err));
      if (m.find()) {
        url = m.group(1);
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the demo did not serve the page; stderr:\n" + Files.readString(err));
  }

  @AfterAll
  static void stopDemo() throws Exception {
    if (demo != null) {
      demo.destroy();
      if (!demo.waitFor(30, TimeUnit.SECONDS)) {
        demo.destroyForcibly();
      }
    }
  }

  private static ChromeDriver browser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,2000");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  private static long sum(WebElement chart) {
    return chart.findElements(By.cssSelector(".mark")).stream()
        .mapToLong(e -> Math.round(Double.parseDouble(e.getDomAttribute("data-value"))))
        .sum();
  }

  /** Pixels inside {@code r} (CSS pixels, scaled to the screenshot) close to the colour rgb. */
  private static int pixels(BufferedImage image, Rectangle r, double scale, int rgb) {
    int count = 0;
    for (int x = (int) (r.x * scale);
        x < (int) ((r.x + r.width) * scale) && x < image.getWidth();
        x++) {
      for (int y = (int) (r.y * scale);
          y < (int) ((r.y + r.height) * scale) && y < image.getHeight();
          y++) {
        int p = image.getRGB(x, y);
        int dr = ((p >> 16) & 0xff) - ((rgb >> 16) & 0xff);
        int dg = ((p >> 8) & 0xff) - ((rgb >> 8) & 0xff);
        int db = (p & 0xff) - (rgb & 0xff);
        if (dr * dr + dg * dg + db * db < 40 * 40) {
          count++;
        }
      }
    }
    return count;
  }

  @Test
  void theChartsRenderWithTheDemosData() throws Exception {
    ChromeDriver browser = browser();
    try {
      browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
      browser.get(url);
      assertThat(browser.getTitle()).isEqualTo("AIX sync health");
      byte[] png = browser.getScreenshotAs(OutputType.BYTES);
      Files.createDirectories(SCREENSHOT.getParent());
      Files.write(SCREENSHOT, png);
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
      double scale =
          image.getWidth()
              / ((Number) browser.executeScript("return window.innerWidth")).doubleValue();

      for (String profile : List.of("demo-hubspot", "demo-salesforce")) {
        WebElement section = browser.findElement(By.id("profile-" + profile));
        assertThat(section.getText()).contains(LEADS + "\nleads");

        WebElement scores = browser.findElement(By.id("scores-" + profile));
        assertThat(sum(scores))
            .as("%s: every lead in the score distribution", profile)
            .isEqualTo(LEADS);
        assertThat(pixels(image, scores.getRect(), scale, 0xd35400))
            .as("%s: the score bars are drawn (orange pixels in the chart)", profile)
            .isGreaterThan(2_000);

        WebElement activity = browser.findElement(By.id("activity-" + profile));
        assertThat(sum(activity))
            .as("%s: synced and scored leads over time", profile)
            .isGreaterThanOrEqualTo(2L * LEADS);
        assertThat(pixels(image, activity.getRect(), scale, 0x28b463))
            .as("%s: the scored line is drawn", profile)
            .isGreaterThan(50);

        WebElement calibration = browser.findElement(By.id("calibration-" + profile));
        assertThat(calibration.findElements(By.cssSelector(".mark")))
            .as("%s: calibration bins of leads with a known outcome", profile)
            .hasSizeGreaterThanOrEqualTo(3);
        assertThat(pixels(image, calibration.getRect(), scale, 0x2e86c1)).isGreaterThan(100);

        WebElement usage = browser.findElement(By.id("usage-" + profile));
        assertThat(sum(usage))
            .as("%s: API calls recorded against the budget", profile)
            .isPositive();
      }
      assertThat(browser.findElements(By.tagName("script"))).as("no script needed").isEmpty();
    } finally {
      browser.quit();
    }
  }
}
