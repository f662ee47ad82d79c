#!/usr/bin/env python3
"""Takes the screenshots of the readme fragments and the Apps page (static/description/
screenshot_*.png) from a running Odoo with the demo data; dev/screenshots.sh starts one.

    python3 dev/screenshots.py BASE_URL OUTPUT_DIR [NAME ...]

Logs in as the German demo team - setter, closer, manager - in headless Chromium (Debian's
chromium package, driven by playwright) at 1440 x 900, the width the lists are made for, and
saves one PNG per screen.
"""

import json
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

# (file, login, path, selector that shows the screen is ready, group headers to open)
SCREENS = [
    ("screenshot_board", "setter", "/odoo/deal-phases", ".o_kanban_record", False),
    (
        "screenshot_follow_up_calls",
        "setter",
        "/odoo/action-crm_deal_phases.crm_lead_follow_up_calls_action",
        ".o_data_row",
        False,
    ),
    (
        "screenshot_qualified",
        "manager",
        "/odoo/action-crm_deal_phases.crm_lead_qualified_action",
        ".o_group_header",
        True,
    ),
    (
        "screenshot_closer_follow_up",
        "closer",
        "/odoo/action-crm_deal_phases.crm_lead_closer_follow_up_action",
        ".o_data_row",
        False,
    ),
    (
        "screenshot_my_consultations",
        "closer",
        "/odoo/action-crm_deal_phases.crm_lead_my_consultations_action",
        ".o_data_row",
        False,
    ),
    ("screenshot_calendar", "closer", "/odoo/calendar", ".fc-event", False),
    (
        "screenshot_funnel",
        "manager",
        "/odoo/action-crm_deal_phases.crm_deal_funnel_report_action",
        ".o_graph_renderer canvas",
        False,
    ),
    (
        "screenshot_consultations",
        "manager",
        "/odoo/action-crm_deal_phases.crm_deal_consultation_report_action",
        ".o_pivot",
        False,
    ),
    ("screenshot_rates", "manager", "/odoo/action-crm_deal_phases.crm_deal_closer_report_action", ".o_pivot", False),
    ("screenshot_week", "manager", "/odoo/action-crm_deal_phases.crm_deal_week_report_action", ".o_pivot", False),
    (
        "screenshot_time_in_phase",
        "manager",
        "/odoo/action-crm_deal_phases.crm_deal_phase_duration_report_action",
        ".o_group_header",
        True,
    ),
    (
        "screenshot_phase_analysis",
        "manager",
        "/odoo/action-crm_deal_phases.crm_deal_phase_report_action",
        ".o_pivot",
        False,
    ),
    (
        "screenshot_calls",
        "manager",
        "/odoo/action-crm_deal_phases.crm_deal_call_report_action",
        ".o_pivot",
        False,
    ),
    ("screenshot_calling", "setter", "/odoo/start-calling", ".o_deal_call_screen", False),
    (
        "screenshot_phase_history",
        "manager",
        "/odoo/action-crm_deal_phases.crm_deal_phase_log_action",
        ".o_data_row",
        False,
    ),
]


def login(browser, base_url, user):
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="de-DE")
    page.goto(f"{base_url}/web/login")
    page.fill("input[name=login]", user)
    page.fill("input[name=password]", user)
    page.click("button[type=submit]")
    page.wait_for_selector(".o_main_navbar")
    return page


def inquiry_page(browser, base_url, output, phone):
    """The demo team's inquiry page as a visitor sees it, on a phone or a desktop."""
    viewport = {"width": 390, "height": 844} if phone else {"width": 1440, "height": 900}
    page = browser.new_page(viewport=viewport, locale="de-DE", timezone_id="Europe/Berlin", is_mobile=phone)
    page.goto(f"{base_url}/crm_deal_phases/inquiry/erstgespraech?lang=de")
    page.wait_for_selector(".o_deal_inquiry_form")
    page.fill("#first_name", "Jana")
    page.fill("#last_name", "Jonas")
    page.fill("#phone", "0151 23456789")
    page.fill("#answer_budget", "1500")
    page.locator("label[for=answer_start-1]").click()
    if not phone:
        page.locator(".o_deal_inquiry_slots label.btn").nth(2).click()
    page.wait_for_timeout(500)
    name = "screenshot_inquiry_page_phone" if phone else "screenshot_inquiry_page"
    page.screenshot(path=str(output / f"{name}.png"), full_page=not phone)
    print(output / f"{name}.png")
    page.close()


def main(base_url, output_dir, *only):
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
        for phone in (True, False):
            inquiry_page(browser, base_url, output, phone)
        for name, user, path, ready, open_groups in SCREENS:
            if only and name not in only:
                continue
            page = login(browser, base_url, user)
            page.goto(f"{base_url}{path}")
            page.wait_for_selector(ready)
            if open_groups:
                for header in page.locator(".o_group_header").all():
                    header.click()
                page.wait_for_selector(".o_data_row")
            page.wait_for_timeout(1000)
            page.screenshot(path=str(output / f"{name}.png"))
            print(output / f"{name}.png")
            page.close()
        if only:
            browser.close()
            return
        # the lead form of a First consultation, with its outcome buttons
        page = login(browser, base_url, "closer")
        response = page.request.post(
            f"{base_url}/web/dataset/call_kw/crm.lead/search",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": "crm.lead",
                        "method": "search",
                        "args": [[["deal_phase", "=", "first_meeting"]]],
                        "kwargs": {"limit": 1},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        lead_id = response.json()["result"][0]
        page.goto(f"{base_url}/odoo/action-crm.crm_lead_action_pipeline/{lead_id}")
        page.wait_for_selector("button.o_deal_phase_transition")
        page.wait_for_timeout(1000)
        page.screenshot(path=str(output / "screenshot_lead_form.png"))
        print(output / "screenshot_lead_form.png")
        # booking a consultation: the wizard with the closer's free slots
        page.locator("button.o_deal_phase_transition", has_text="Folgegespräch").click()
        page.wait_for_selector(".modal .o_deal_phase_free_slot")
        page.wait_for_timeout(500)
        page.screenshot(path=str(output / "screenshot_booking.png"))
        print(output / "screenshot_booking.png")
        page.close()
        booking_page(browser, base_url, output)
        browser.close()


def booking_page(browser, base_url, output):
    """A qualified demo lead's booking link, sent by the setter, as the person opens it on a phone."""
    page = login(browser, base_url, "setter")
    response = page.request.post(
        f"{base_url}/web/dataset/call_kw/crm.lead/search",
        data=json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "model": "crm.lead",
                    "method": "search",
                    "args": [[["deal_phase", "=", "qualified"], ["contact_firstname", "!=", False]]],
                    "kwargs": {"limit": 1},
                },
            }
        ),
        headers={"Content-Type": "application/json"},
    )
    lead_id = response.json()["result"][0]
    page.goto(f"{base_url}/odoo/action-crm.crm_lead_action_pipeline/{lead_id}")
    page.locator("button[name=action_send_booking_link]").click()
    url = page.locator(".modal .o_field_widget[name=url]").inner_text().strip()
    page.close()
    phone = browser.new_page(
        viewport={"width": 390, "height": 844}, locale="de-DE", timezone_id="Europe/Berlin", is_mobile=True
    )
    phone.goto(url.replace(url.split("/crm_deal_phases/")[0], base_url))
    phone.wait_for_selector(".o_deal_inquiry_day")
    phone.locator(".o_deal_inquiry_day").nth(1).click()
    phone.locator(".o_deal_inquiry_day_times:not(.d-none) label.btn").nth(1).click()
    phone.wait_for_timeout(500)
    phone.screenshot(path=str(output / "screenshot_booking_page_phone.png"))
    print(output / "screenshot_booking_page_phone.png")
    phone.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
