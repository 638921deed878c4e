"""The newsroom pages in a real headless browser: Debian's chromium driven by selenium through chromedriver.

Needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver; .ci/services
installs them). The screenshot of the event page goes to tests/artifacts/event-page.png, or to
$CLAIMWIRE_SCREENSHOT_DIR when set; the test prints the path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from claimwire.sources import iter_items
from service.ingest import receive_all
from storage.db import session_scope
from storage.models import Article, ArticleEvent, Event
from tests.conftest import apply_env
from tests.web_helpers import API_TOKEN, HOSTILE, SIXTH_TEXT, SIXTH_TITLE, SIXTH_URL, build_app, make_hostile_event, serve

CHROMIUM = os.environ.get("CLAIMWIRE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CLAIMWIRE_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(os.environ.get("CLAIMWIRE_SCREENSHOT_DIR") or Path(__file__).parent / "artifacts")
WAIT_S = 30

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.fail(f"{CHROMIUM} and {CHROMEDRIVER} are needed (apt-get install chromium chromium-driver; .ci/services does it)")
    profile = tempfile.mkdtemp(prefix="claimwire-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--window-size=1280,1600",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def app_server(sqlite_store, monkeypatch):
    apply_env(monkeypatch, CLAIMWIRE_API_TOKEN=API_TOKEN)
    with serve(build_app()) as base_url:
        yield base_url


def wait_for(driver, condition, message: str):
    """Wait until CONDITION holds; an element a live update swapped while CONDITION read it is looked up again."""
    waiting = WebDriverWait(driver, WAIT_S, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,))
    return waiting.until(lambda d: condition(d), message=message)


def settled(check, tries: int = 10) -> None:
    """Run CHECK (assertions on page elements) again when a live update swapped the elements it held."""
    for attempt in range(tries):
        try:
            return check()
        except StaleElementReferenceException:
            if attempt == tries - 1:
                raise
            time.sleep(0.3)


def post_article(base_url: str, *, text: str, title: str, url: str) -> dict:
    """POST the article the way a newsroom system would: through the HTTP API, with the bearer token."""
    response = httpx.post(
        f"{base_url}/articles",
        json={"text": text, "title": title, "url": url},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=120,
    )
    assert response.status_code == 202, response.text
    return response.json()


def test_event_page_shows_the_seeds_and_updates_itself(browser, app_server, seeds_dir):
    base_url = app_server
    receipts = list(receive_all(iter_items([str(seeds_dir)])))
    assert [r.status for r in receipts] == ["stored"] * 5
    with session_scope() as session:
        [event_id] = session.scalars(select(Event.id).where(Event.merged_into_id.is_(None))).all()

    # The events page: the seed event, its toll, its article count and the dispute marker; then open it.
    browser.get(base_url + "/")
    row = browser.find_element(By.CSS_SELECTOR, f'tr[data-event-id="{event_id}"]')
    assert "Disputed: killed" in row.text and "killed about 100" in row.text
    assert row.find_element(By.CSS_SELECTOR, "td.num").text == "5"
    row.find_element(By.CSS_SELECTOR, "a").click()
    wait_for(browser, lambda d: d.current_url.endswith(f"/ui/events/{event_id}"), "the event page opens")

    # The five articles in arrival order and the disputed killed row (about 100 against 7).
    articles = browser.find_elements(By.CSS_SELECTOR, "ol.articles > li")
    assert len(articles) == 5
    assert [a.get_attribute("data-article-id") for a in articles] == [str(r.article_id) for r in receipts]
    killed = browser.find_element(By.CSS_SELECTOR, 'tbody.figure.conflict[data-measure="killed"]')
    assert killed.is_displayed()
    killed_values = [cell.text for cell in killed.find_elements(By.CSS_SELECTOR, "tr.value--conflict td.value-cell")]
    assert len(killed_values) >= 2, killed_values
    assert "Disputed" in killed.find_element(By.CSS_SELECTOR, "th.measure").text
    assert {"about 100", "7"} <= {v.split("\n")[0] for v in killed_values}
    summary = browser.find_element(By.ID, "conflict-summary")
    assert "killed" in summary.text
    # The conflicting value cells are highlighted, not only labelled.
    colour = browser.execute_script(
        "return getComputedStyle(document.querySelector('tbody.conflict tr.value--conflict td.value-cell')).color"
    )
    assert colour != browser.execute_script("return getComputedStyle(document.body).color")

    # Post a sixth article on the same story through the API; the open page shows it without a reload.
    browser.execute_script("window.__sameDocument = 'still here';")
    receipt = post_article(base_url, text=SIXTH_TEXT, title=SIXTH_TITLE, url=SIXTH_URL)
    with session_scope() as session:
        article_id = receipt["id"]
        link = session.scalars(select(ArticleEvent).where(ArticleEvent.article_id == article_id)).one_or_none()
        article = session.get(Article, article_id)
        assert link is not None, f"the sixth article was not linked: {article.status} {article.error}"
        target = session.get(Event, link.event_id)
        while target.merged_into_id:
            target = session.get(Event, target.merged_into_id)
        assert target.id == event_id, "the linker must put the sixth article into the seeds' event"

    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "ol.articles > li")) == 6, "the sixth article appears")
    assert browser.execute_script("return window.__sameDocument") == "still here", "the page was not reloaded"
    # the page is swapped again as the article's changes arrive (link, figures, quotes): look once it has its figure
    wait_for(
        browser, lambda d: "120" in d.find_element(By.CSS_SELECTOR, "ol.timeline").text, "the sixth article's figure joins the timeline"
    )

    def sixth_shown() -> None:
        sixth = browser.find_element(By.CSS_SELECTOR, f'ol.articles > li[data-article-id="{article_id}"]')
        assert SIXTH_TITLE in sixth.text
        assert sixth.find_element(By.CSS_SELECTOR, "a").get_attribute("href") == SIXTH_URL
        assert "wire.example.org" in sixth.text
        assert browser.find_element(By.ID, "article-count").text == "6"
        assert "Updated" in browser.find_element(By.ID, "live-status").text

    settled(sixth_shown)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if not (ARTIFACTS / ".gitignore").exists():
        (ARTIFACTS / ".gitignore").write_text("*\n")
    time.sleep(0.3)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(max(height + 120, 1200), 6000))
    shot = ARTIFACTS / "event-page.png"
    assert browser.save_screenshot(str(shot)), "screenshot written"
    browser.set_window_size(1280, 1600)
    print(f"\nscreenshot of the event page: {shot}")


def test_keyboard_skip_link_focus_and_navigation(browser, app_server, seeds_dir):
    base_url = app_server
    list(receive_all(iter_items([str(seeds_dir / "000_33ae1f9e66d21cca.txt")])))
    browser.get(base_url + "/")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.text == "Skip to content" and active.is_displayed(), "the first Tab reaches the visible skip link"
    outline = browser.execute_script("const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]")
    assert outline[0] != "none" and outline[1] != "0px", f"focus is visible: {outline}"
    active.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: d.switch_to.active_element.get_attribute("id") == "main", "the skip link moves focus to the content")
    browser.switch_to.active_element.send_keys(Keys.TAB)
    link = browser.switch_to.active_element
    assert link.tag_name == "a" and "/ui/events/" in link.get_attribute("href"), "the next Tab reaches the first event"
    link.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: "/ui/events/" in d.current_url, "Enter opens the event")
    headers = browser.find_elements(By.CSS_SELECTOR, "table.figures thead th[scope=col]")
    assert [h.text.lower() for h in headers][:3] == ["measure", "party", "value"]
    # In-page navigation by keyboard: the table of contents links to the sections.
    toc = browser.find_element(By.CSS_SELECTOR, 'nav.toc a[href="#articles"]')
    toc.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: d.execute_script("return location.hash") == "#articles", "the contents link works by keyboard")


def test_markup_in_the_data_is_shown_as_text(browser, app_server):
    base_url = app_server
    event_id = make_hostile_event()
    for path in ("/", f"/ui/events/{event_id}"):
        browser.get(base_url + path)
        time.sleep(0.3)
        assert browser.execute_script("return window.__xss === undefined"), f"script from the data ran on {path}"
        assert "<script>window.__xss = 1</script><b>bold</b>" in browser.find_element(By.TAG_NAME, "main").text
        assert not browser.find_elements(By.CSS_SELECTOR, "main b, main img, main script")
    hrefs = [a.get_attribute("href") or "" for a in browser.find_elements(By.CSS_SELECTOR, "main a")]
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    assert HOSTILE in browser.find_element(By.CSS_SELECTOR, "ul.quotes").text


@pytest.fixture
def stream_server(sqlite_store, redis_url, monkeypatch):
    """The embedded store, with the intake stream on the real Redis: articles arrive through `claimwire consume`."""
    apply_env(monkeypatch, CLAIMWIRE_API_TOKEN=API_TOKEN, CLAIMWIRE_STREAM_URL=redis_url)
    with serve(build_app()) as base_url:
        yield base_url


def push_through_the_intake_stream(**item) -> None:
    """XADD one article to the intake stream, as a newsroom system would, and consume it (in this process)."""
    from service.intake import Consumer, envelope_json
    from workers import streams

    streams.client().xadd(streams.intake_key(), {"envelope": envelope_json(item, source="browser-test")})
    assert Consumer("browser-test", block_ms=100).run(until_idle=True) == {"new": 1}


def version_polls(path: str) -> float:
    from workers import metrics

    return sum(metrics.API_REQUESTS.labels(method="GET", route=path, status=status)._value.get() for status in ("200", "304", "404"))


def test_pages_follow_the_change_feed_as_articles_arrive_through_the_intake_stream(browser, stream_server, seeds_dir):
    base_url = stream_server
    list(receive_all(iter_items([str(seeds_dir)])))
    with session_scope() as session:
        [event_id] = session.scalars(select(Event.id).where(Event.merged_into_id.is_(None))).all()
    browser.get(f"{base_url}/ui/events/{event_id}")
    wait_for(
        browser,
        lambda d: (
            d.find_element(By.ID, "live-region").get_attribute("data-transport") == "sse"
            and d.find_element(By.ID, "live-status").text == "Live"
        ),
        "the page's event stream is open",
    )
    browser.execute_script("window.__sameDocument = 'still here';")
    polls_before = version_polls("/ui/events/{event_id}/version")

    push_through_the_intake_stream(text=SIXTH_TEXT, title=SIXTH_TITLE, url=SIXTH_URL, external_id="wire-6")
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "ol.articles > li")) == 6, "the sixth article appears")
    assert browser.execute_script("return window.__sameDocument") == "still here", "the page was not reloaded"

    def sixth_last() -> None:
        assert SIXTH_TITLE in browser.find_elements(By.CSS_SELECTOR, "ol.articles > li")[-1].text

    settled(sixth_last)
    wait_for(browser, lambda d: d.find_element(By.ID, "article-count").text == "6", "the count follows")
    wait_for(
        browser, lambda d: "120" in d.find_element(By.CSS_SELECTOR, "ol.timeline").text, "the sixth article's figure joins the timeline"
    )
    assert version_polls("/ui/events/{event_id}/version") == polls_before, "pushed by the stream, not polled"

    # the events list: a new event (another story) shows up by itself
    browser.get(base_url + "/")
    wait_for(
        browser, lambda d: d.find_element(By.ID, "live-region").get_attribute("data-transport") == "sse", "the list's event stream is open"
    )
    browser.execute_script("window.__sameDocument = 'list';")
    push_through_the_intake_stream(
        text="Floods in the north of the country have killed 14 people, the disaster agency said on Sunday.\n\n"
        "More than 2,000 families were moved to shelters after two rivers burst their banks, officials said.",
        title="Floods kill 14 in the north",
        external_id="flood-1",
    )
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr[data-event-id]")) == 2, "the new event's row appears")
    assert browser.execute_script("return window.__sameDocument") == "list"

    def flood_listed() -> None:
        assert "Floods kill 14 in the north" in browser.find_element(By.CSS_SELECTOR, "table.events tbody").text

    settled(flood_listed)
