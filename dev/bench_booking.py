#!/usr/bin/env python3
"""Benchmark of the booking link: the page's free slots, and a booking against the inquiry
page's submit on the same data, over HTTP.

    python3 dev/bench_booking.py ODOO_CONFIG --leads 20000 --requests 200 --json OUT.json

Expects bench_addon of dev/bench.sh (filled with N leads as dev/bench.py does, if not
there yet). Adds a team of 10 closers and 4 setters on the company's 40-hour calendar in
Berlin, 5,000 calendar events over the next 14 days (1,400 of them the closers', ten a day
each, the rest other people's, that the slot engine must skip), qualified leads with a
booking link each and an inquiry page offering the setters' calls. Then, with one Odoo
server in prefork (4 workers): the booking page opened (the closers' free slots of 14 days,
the goal p95 <= 150 ms), and bookings interleaved with inquiry page submits, each a new
lead or person, each after its page was opened (not timed): booking <= 1.5 x submit.
"""

import argparse
import json
import random
import re
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytz
import requests

import odoo
from odoo.modules.module import initialize_sys_path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_intake import start_server

DB = "bench_addon"
PORT = 18093
CLOSERS, SETTERS, EVENTS, CLOSER_EVENTS, DAYS = 10, 4, 5000, 1400, 14
SLOTS_GOAL = 0.150
BOOKING_GOAL = 1.5
SLOT = re.compile(r'id="slot-\d+-\d+" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def prepare(leads, requests_count):
    """The team, its events, its qualified leads' links and its inquiry page: (tokens, page path)."""
    from bench_figures import Bench  # imported after the addons path is set

    bench = Bench(DB, True, leads, 1).open()
    env = bench.env
    random.seed(7)
    calendar = env.ref("resource.resource_calendar_std")
    env.company.resource_calendar_id = calendar
    env["ir.config_parameter"].set_param("crm_deal_phases.booking_days", DAYS)
    stamp = int(time.time())

    def users(role, count):
        return env["res.users"].create(
            [
                {
                    "name": f"Bench {role} {index}",
                    "login": f"bench-{role}-{index}-{stamp}",
                    "group_ids": [(6, 0, [env.ref("sales_team.group_sale_salesman").id])],
                    "deal_phase_role": role,
                    "tz": "Europe/Berlin",
                    "resource_calendar_id": calendar.id,
                }
                for index in range(count)
            ]
        )

    closers, setters = users("closer", CLOSERS), users("setter", SETTERS)
    team = env["crm.team"].create(
        {"name": f"Bench booking {stamp}", "use_deal_phases": True, "member_ids": [(6, 0, (closers | setters).ids)]}
    )
    others = env["res.partner"].create([{"name": f"Someone {index}"} for index in range(40)])
    berlin = pytz.timezone("Europe/Berlin")
    today = datetime.now(berlin).replace(hour=0, minute=0, second=0, microsecond=0)

    def event(partner, index):
        day = today + timedelta(days=random.randrange(DAYS))
        start = day.replace(hour=random.randrange(7, 19), minute=random.choice((0, 15, 30, 45)))
        start = start.astimezone(pytz.utc).replace(tzinfo=None)
        return {
            "name": f"Busy {index}",
            "start": start,
            "stop": start + timedelta(minutes=random.choice((30, 45, 60))),
            "partner_ids": [(6, 0, partner.ids)],
        }

    quiet = env["calendar.event"].with_context(
        no_mail_to_attendees=True, mail_create_nolog=True, mail_notrack=True, tracking_disable=True
    )
    busy = [event(closers[index % CLOSERS].partner_id, index) for index in range(CLOSER_EVENTS)]
    busy += [event(others[index % len(others)], index) for index in range(CLOSER_EVENTS, EVENTS)]
    quiet.create(busy)
    stage = env["crm.stage"]._stage_of_phase("qualified")
    criteria = env["crm.qualification.criterion"].search([])
    qualified = (
        env["crm.lead"]
        ._with_intent()
        .create(
            [
                {
                    "name": f"Bench booking {index}",
                    "type": "opportunity",
                    "contact_firstname": "Bea",
                    "contact_lastname": f"Booking {index}",
                    "phone": f"+49 151 {60000000 + index}",
                    "email_from": f"booking{index}@example.com",
                    "team_id": team.id,
                    "stage_id": stage.id,
                    "setter_id": setters[index % SETTERS].id,
                    "qualification_criterion_ids": [(6, 0, criteria.ids)],
                    "lang_id": env.ref("base.lang_en").id,
                }
                for index in range(2 * requests_count + 40)
            ]
        )
    )
    Links = env["crm.deal.booking.link"]
    tokens = [Links._issue(lead)[1] for lead in qualified]
    code = f"bench-page-{stamp}"
    env["crm.deal.intake.source"].create(
        {
            "name": "Bench page",
            "code": code,
            "team_id": team.id,
            "public_form": True,
            "offer_setter_call": True,
            "consent_text": "I agree to be called about my inquiry.",
            "rate_limit": 1_000_000,
        }
    )
    env.cr.commit()
    bench.close()
    return tokens, f"/crm_deal_phases/inquiry/{code}?lang=en"


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def figures(times):
    times = sorted(times)
    return {"median": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))]}


def open_page(session, url):
    response = session.get(url, timeout=60)
    assert response.status_code == 200, response.text[:300]
    return response


def book(session, url):
    """Open the lead's page (not timed), then book its first free time."""
    page = open_page(session, url).text
    data = {"csrf_token": CSRF.search(page).group(1), "action": "book", "slot": SLOT.search(page).group(1)}

    def post():
        response = session.post(url, data=data, timeout=60)
        error = re.findall(r'id="booking-error"[^>]*>([^<]+)<', response.text)
        assert response.status_code == 200 and 'class="alert alert-success"' in response.text, (
            response.status_code,
            error,
        )

    return timed(post)


def submit(session, url, index):
    """Open the inquiry page (not timed), then send it with the first free setter call."""
    page = open_page(session, url).text
    data = {
        **dict(HIDDEN.findall(page)),
        "first_name": "Ida",
        "last_name": f"Inquiry {index}",
        "phone": f"+49 152 {50000000 + index}",
        "email": f"inquiry{index}-{time.time_ns()}@example.com",
        "consent": "yes",
        "slot": SLOT.search(page).group(1),
    }

    address = {
        "X-Forwarded-For": f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}",
        "X-Forwarded-Host": url.split("/")[2],
    }

    def post():
        response = session.post(url, data=data, timeout=60, headers=address)
        errors = re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)<', response.text)
        # thanked: the form is not shown again (in any language)
        assert response.status_code == 200 and "o_deal_inquiry_form" not in response.text, (
            response.status_code,
            errors,
        )

    return timed(post)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("--leads", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    initialize_sys_path()
    tokens, page = prepare(args.leads, args.requests)
    # behind a proxy: each person of the inquiry page from an address of their own (the page
    # answers more than ten a minute from one address with 429)
    server = start_server(args.config, DB, PORT, "--proxy-mode")
    base = f"http://127.0.0.1:{PORT}"
    try:
        session = requests.Session()
        links = [f"{base}/crm_deal_phases/book/{token}" for token in tokens]
        for url in links[:20]:  # warm-up, not counted
            open_page(session, url)
        slots = [timed(lambda url=url: open_page(session, url)) for url in links[20 : 20 + args.requests]]
        for index in range(10):  # warm-up, not counted
            book(requests.Session(), links[-1 - index])
            submit(requests.Session(), base + page, 1_000_000 + index)
        bookings, submits = [], []
        for index in range(args.requests):
            bookings.append(book(requests.Session(), links[20 + index]))
            submits.append(submit(requests.Session(), base + page, index))
    finally:
        server.terminate()
        server.wait(timeout=30)
    slots, bookings, submits = figures(slots), figures(bookings), figures(submits)
    rows = [
        {
            "figure": f"booking page, {CLOSERS} closers' free slots over {DAYS} days, {EVENTS} events, p95",
            "stock": "",
            "addon": round(slots["p95"], 4),
            "ratio": "",
            "goal": f"<= {SLOTS_GOAL * 1000:.0f} ms",
            "met?": slots["p95"] <= SLOTS_GOAL,
        }
    ]
    for measure in ("median", "p95"):
        ratio = bookings[measure] / submits[measure]
        rows.append(
            {
                "figure": f"booking a slot vs the inquiry page's submit, {measure}",
                "stock": round(submits[measure], 4),
                "addon": round(bookings[measure], 4),
                "ratio": round(ratio, 2),
                "goal": f"ratio <= {BOOKING_GOAL}",
                "met?": ratio <= BOOKING_GOAL,
            }
        )
    lines = [f"booking benchmark: {args.leads} leads, {args.requests} requests each ('stock' column: the submit)"]
    lines += [" | ".join(str(value) for value in row.values()) for row in rows]
    print("\n".join(lines))
    with open(args.json, "w", encoding="utf-8") as output:
        json.dump({"leads": args.leads, "slots": slots, "table": rows}, output, indent=2)


if __name__ == "__main__":
    main()
