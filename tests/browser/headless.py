"What the browser tests share: Debian's chromium, headless, driven by Selenium through chromium-driver."
import shutil

def chromium(user_data_dir, height: int, log: bool = False):
    "A headless Chromium 1280 px wide that reaches no host but 127.0.0.1 (with `log`, the console is kept for reading)."
    from selenium import webdriver
    binary, driver = shutil.which("chromium") or shutil.which("google-chrome"), shutil.which("chromedriver")
    assert binary and driver, "apt-get install chromium chromium-driver (.ci/run does)"
    o = webdriver.ChromeOptions()
    o.binary_location = binary
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
              "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
              f"--window-size=1280,{height}", f"--user-data-dir={user_data_dir}"): o.add_argument(a)
    if log: o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(options=o, service=webdriver.ChromeService(executable_path=driver))
    d.set_page_load_timeout(30)
    return d
