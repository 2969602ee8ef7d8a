"""What Scripts/browser-test's two sessions share: headless Chromium on a desktop window or
an emulated phone, and the checks both pages need (in view, nothing from elsewhere)."""
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

# The phone both pages are checked on, in CSS pixels.
PHONE = (390, 844)
# A phone's device pixel ratio, and how it says it is one.
PHONE_METRICS = {"pixelRatio": 3, "touch": True, "mobile": True}
PHONE_AGENT = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"


def chromium(window=None, phone=None):
    """Headless Chromium, either a desktop window (width, height) at a device scale of 1 or a
    phone of that many CSS pixels emulated: a mobile viewport, touch, PHONE_METRICS."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-proxy-server"]:
        options.add_argument(flag)
    if window:
        options.add_argument(f"--window-size={window[0]},{window[1]}")
        options.add_argument("--force-device-scale-factor=1")
    if phone:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": phone[0], "height": phone[1], **PHONE_METRICS}, "userAgent": PHONE_AGENT})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def emulate_phone(driver, on=True):
    """Turns a running desktop session into PHONE (DevTools emulation) and back."""
    if on:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": PHONE_METRICS["pixelRatio"], "mobile": True})
    else:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": on, "maxTouchPoints": 5})


def in_view(box, viewport):
    """Whether the box [left, top, right, bottom] lies within the first screen."""
    return box[0] >= 0 and box[1] >= 0 and box[2] <= viewport[0] and box[3] <= viewport[1]


def foreign_and_errors(driver, origin, failures, page="the page", ignore=None):
    """What the page loaded from elsewhere than `origin`, and its console errors (but those
    whose message contains `ignore`), added to `failures`."""
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    foreign = [r for r in resources if not r.startswith(origin)]
    if foreign: failures.append(f"{page} loaded from elsewhere: {foreign}")
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and not (ignore and ignore in e["message"])]
    if errors: failures.append(f"browser console errors: {errors}")
