"""Regenerate the README screenshots: run the report batch on the sample data, open the index and one
unit report in headless Chromium, save PNGs to docs/img/.

    python docs/make_screenshots.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    from playwright.sync_api import sync_playwright

    from cxkit.report import run_batch
    from cxkit.report.render import CHROMIUM_FLAGS, find_chromium

    out = Path(tempfile.mkdtemp(prefix="cxkit-shots-")) / "report"
    res = run_batch(ROOT / "data" / "sample", out, workers=2, progress=False)
    if res.exit_code:
        print(res.summary_text(), file=sys.stderr)
        return 1
    img = ROOT / "docs" / "img"
    img.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(),
                                    args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        page = browser.new_page(viewport={"width": 1280, "height": 760}, device_scale_factor=1)
        page.goto((out / "index.html").as_uri())
        page.screenshot(path=str(img / "index.png"))
        page.set_viewport_size({"width": 1280, "height": 1500})
        page.goto((out / "units" / "kaunas-mega.html").as_uri())
        page.screenshot(path=str(img / "unit_report.png"))
        browser.close()
    print(f"written: {img / 'index.png'}, {img / 'unit_report.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
