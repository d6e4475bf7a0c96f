"""The report in a real browser: headless Chromium renders every problem of a
failing report, fetches nothing and logs no error, and a screenshot of it is
kept in `test-artifacts/` for a person to look at.

The driver is Playwright for Python: a maintained PyPI package whose driver
ships inside the wheel, and which launches Debian's own Chromium
(`executable_path`), so nothing is downloaded (no `playwright install`) and
there is no separate chromedriver whose version must match the browser.
"""

import os
from pathlib import Path

import pytest
from conftest import ARTIFACTS, MUTANTS, REFERENCE

from grader.report import write_report
from grader.score import grade_submission

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# one variant per kind of output the report draws: maps, NaN, shapes, crashes
FAILING = [
    "divide_rhs_ignores_grad",
    "negate_ones_by_division",
    "matmul_operand_order",
    "broadcast_no_final_reshape",
    "transpose_ignores_none",
    "relu_zeroes_out_grad_in_place",
    "softmax_labels_as_columns",
    "log_multiplies_by_input",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="no /usr/bin/chromium here (CI installs it: apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def failing_report(hw1, tmp_path_factory):
    folder = tmp_path_factory.mktemp("failing")
    source = (REFERENCE / "ops.py").read_text()
    source += "".join(f"\n\n{MUTANTS[name].source}" for name in FAILING)
    (folder / "ops.py").write_text(source)
    result = grade_submission(hw1, folder)
    return result, write_report(result, hw1, folder)


def test_a_failing_report_renders_offline_without_errors(failing_report, tmp_path):
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    result, report = failing_report
    url = report.resolve().as_uri()
    requests, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            offline=True,
            viewport={"width": 1280, "height": 900},
        )
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url, wait_until="load")
        sections = page.locator("section.problem")
        titles = [
            sections.nth(i).locator("h2").inner_text() for i in range(sections.count())
        ]
        heights = [
            sections.nth(i).bounding_box()["height"] for i in range(sections.count())
        ]
        maps = page.locator("figure.errormap svg")
        map_boxes = [maps.nth(i).bounding_box() for i in range(maps.count())]
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "failing-report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()

    print(f"\nscreenshot of a failing report: {shot}")
    assert [t.split("\n")[0].rsplit(" ", 3)[0] for t in titles] == [
        p.title for p in result.problems
    ]
    assert all(height > 50 for height in heights)
    assert map_boxes and all(
        box["width"] > 0 and box["height"] > 0 for box in map_boxes
    )
    assert requests == [url]
    assert errors == []
    assert shot.stat().st_size > 10_000
