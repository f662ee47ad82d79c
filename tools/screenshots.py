#!/usr/bin/env python3
"""Takes the README's and the Apps page's screenshots from a running Odoo with the demo data.

    python3 tools/screenshots.py BASE_URL OUTPUT_DIR

Logs in as the demo manager (German) in headless Chromium (Debian's chromium package,
driven by playwright) and saves one PNG per screen.
"""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

SCREENS = [
    ("screenshot_board", "/odoo/action-crm.crm_lead_action_pipeline", ".o_kanban_record"),
    ("screenshot_follow_up_calls", "/odoo/action-crm_deal_phases.crm_lead_follow_up_calls_action", ".o_data_row"),
    ("screenshot_qualified", "/odoo/action-crm_deal_phases.crm_lead_qualified_action", ".o_group_header"),
    ("screenshot_closer_follow_up", "/odoo/action-crm_deal_phases.crm_lead_closer_follow_up_action", ".o_list_view"),
    ("screenshot_phase_history", "/odoo/action-crm_deal_phases.crm_deal_phase_log_action", ".o_data_row"),
]


def main(base_url, output_dir):
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    browser_path = shutil.which("chromium") or shutil.which("google-chrome")
    if not browser_path:
        sys.exit("no chromium found: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browser_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1600, "height": 900}, locale="de-DE")
        page.goto(f"{base_url}/web/login")
        page.fill("input[name=login]", "manager")
        page.fill("input[name=password]", "manager")
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar")
        for name, path, ready in SCREENS:
            page.goto(f"{base_url}{path}")
            page.wait_for_selector(ready)
            page.wait_for_timeout(800)
            page.screenshot(path=str(output / f"{name}.png"))
            print(output / f"{name}.png")
        # the lead form of a First consultation, with its outcome buttons
        page.goto(f"{base_url}/odoo/action-crm.crm_lead_action_pipeline")
        page.click(".o_kanban_group:has(.o_column_title:text('Erstgespräch')) .o_kanban_record >> nth=0")
        page.wait_for_selector("button.o_deal_phase_transition")
        page.wait_for_timeout(800)
        page.screenshot(path=str(output / "screenshot_lead_form.png"))
        print(output / "screenshot_lead_form.png")
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
