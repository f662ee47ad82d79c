from datetime import timedelta

from odoo import api, fields, models

from .deal_phase import PhaseMove

# name, company, first name, last name, mobile, path of phases after Inquiry received,
# extra: calls, strikes (reasons), questionnaire, setter appointment, postponed, days ago
DEMO_LEADS = [
    ("Website-Relaunch", "Bäckerei Huber", "Josef", "Huber", "+49 151 23456701", [], {}),
    (
        "Online-Coaching",
        "",
        "Lena",
        "Schneider",
        "+49 160 98765402",
        [],
        {"questionnaire": "Budget: 5.000 €\nStart: sofort"},
    ),
    ("Marketing-Paket", "Autohaus Berger", "Thomas", "Berger", "+49 171 5550103", [], {"setter_appointment": 1}),
    ("Social-Media-Betreuung", "Friseur Schön", "Anja", "", "", [], {}),
    (
        "Beratungspaket Premium",
        "Zahnarztpraxis Dr. Wolf",
        "Katrin",
        "Wolf",
        "+49 152 4440105",
        [],
        {"questionnaire": "Teamgröße: 12\nZiel: mehr Privatpatienten"},
    ),
    ("Vertriebstraining", "Weber Maschinenbau", "Stefan", "Weber", "+49 170 3330106", ["follow_up"], {"calls": 2}),
    (
        "Leadgenerierung",
        "Café Sonnenschein",
        "Miriam",
        "Koch",
        "+49 176 2220107",
        ["follow_up"],
        {"calls": 4, "strikes": ["Nicht erreicht"]},
    ),
    ("Recruiting-Kampagne", "Pflegedienst Lange", "Birgit", "Lange", "+49 157 1110108", ["follow_up"], {"calls": 1}),
    (
        "Funnel-Aufbau",
        "Fitnessstudio Power",
        "Marco",
        "Richter",
        "+49 162 9990109",
        ["follow_up"],
        {"calls": 3, "strikes": ["Termin vergessen", "Nicht erreicht"]},
    ),
    (
        "Beratung Skalierung",
        "Klein Immobilien",
        "Sandra",
        "Klein",
        "+49 159 8880110",
        ["first_meeting", "follow_up"],
        {"calls": 1},
    ),
    (
        "Mentoring-Programm",
        "Praxis für Physiotherapie Neumann",
        "Julia",
        "Neumann",
        "+49 172 7770111",
        ["qualified"],
        {"days": 12},
    ),
    ("Jahresbegleitung", "Schwarz Steuerberatung", "Andreas", "Schwarz", "+49 173 6660112", ["qualified"], {"days": 3}),
    (
        "Intensiv-Workshop",
        "Zimmermann Elektrotechnik",
        "Frank",
        "Zimmermann",
        "+49 174 5550113",
        ["follow_up", "qualified"],
        {"days": 9},
    ),
    (
        "Premium-Coaching",
        "Braun Gartenbau",
        "Heike",
        "Braun",
        "+49 175 4440114",
        ["first_meeting", "qualified"],
        {"days": 5},
    ),
    (
        "Online-Akademie",
        "Hofmann Consulting",
        "Tobias",
        "Hofmann",
        "+49 176 3330115",
        ["first_meeting"],
        {"meeting": 2},
    ),
    (
        "Vertriebsaufbau",
        "Krüger Logistik",
        "Nadine",
        "Krüger",
        "+49 177 2220116",
        ["first_meeting"],
        {"meeting": 1, "postponed": 1},
    ),
    (
        "Marketing-Strategie",
        "Hartmann Optik",
        "Peter",
        "Hartmann",
        "+49 178 1110117",
        ["qualified", "first_meeting"],
        {"meeting": 4},
    ),
    (
        "Coaching Führung",
        "Schmitz Bau",
        "Claudia",
        "Schmitz",
        "+49 179 9990118",
        ["follow_up", "first_meeting"],
        {"meeting": 3},
    ),
    (
        "Komplettpaket",
        "Lorenz Versicherungen",
        "Michael",
        "Lorenz",
        "+49 151 8880119",
        ["first_meeting", "second_meeting"],
        {"meeting": 2},
    ),
    (
        "Wachstumsprogramm",
        "Fischer Reisen",
        "Sabrina",
        "Fischer",
        "+49 160 7770120",
        ["first_meeting", "second_meeting"],
        {"meeting": 5},
    ),
    (
        "Beratung Digitalisierung",
        "Meyer Metallbau",
        "Jürgen",
        "Meyer",
        "+49 171 6660121",
        ["first_meeting", "sold"],
        {"revenue": 12000},
    ),
    (
        "Coaching 12 Monate",
        "Wagner Kanzlei",
        "Monika",
        "Wagner",
        "+49 152 5550122",
        ["first_meeting", "second_meeting", "sold"],
        {"revenue": 18000},
    ),
    (
        "Intensivprogramm",
        "Becker Dental",
        "Daniel",
        "Becker",
        "+49 170 4440123",
        ["qualified", "first_meeting", "sold"],
        {"revenue": 9500},
    ),
    (
        "Vertriebscoaching",
        "Schulz Handwerk",
        "Petra",
        "Schulz",
        "+49 176 3330124",
        ["first_meeting", "not_sold", "sold"],
        {"revenue": 7000},
    ),
    (
        "Marketing-Begleitung",
        "Keller Weinhandel",
        "Ralf",
        "Keller",
        "+49 157 2220125",
        ["first_meeting", "not_sold"],
        {"lost": "crm_deal_phases.lost_reason_not_now"},
    ),
    (
        "Skalierungsprogramm",
        "Vogel Events",
        "Ines",
        "Vogel",
        "+49 162 1110126",
        ["first_meeting", "second_meeting", "not_sold"],
        {"lost": "crm_deal_phases.lost_reason_second_meeting_cancelled"},
    ),
    (
        "Business-Coaching",
        "Frank Gastronomie",
        "Oliver",
        "Frank",
        "+49 159 9990127",
        ["first_meeting", "not_sold"],
        {"lost": "crm_deal_phases.lost_reason_no_budget"},
    ),
    (
        "Online-Marketing",
        "Schröder Bestattungen",
        "Uwe",
        "Schröder",
        "+49 172 8880128",
        ["unqualified"],
        {"ko": "crm_deal_phases.ko_reason_wrong_industry"},
    ),
    (
        "Kaltakquise-Training",
        "",
        "Kevin",
        "Wolff",
        "+49 173 7770129",
        ["follow_up", "unqualified"],
        {"ko": "crm_deal_phases.ko_reason_offensive"},
    ),
    (
        "Reichweiten-Paket",
        "Graf Textil",
        "Doris",
        "Graf",
        "+49 174 6660130",
        ["follow_up"],
        {"strikes": ["Nicht erreicht", "Nicht erreicht", "Rückruf ignoriert"]},
    ),
]


class CrmLead(models.Model):
    """Demo data: leads walked through the phases along the graph, so their phase history
    is real. Loaded by demo/crm_deal_phases_demo.xml only."""

    _inherit = "crm.lead"

    @api.model
    def _load_deal_phases_demo(self):
        self._demo_bring_stock_leads_into_phases()
        team = self.env.ref("crm_deal_phases.demo_team_new_customers")
        setter = self.env.ref("crm_deal_phases.demo_user_setter")
        closers = self.env.ref("crm_deal_phases.demo_user_closer_1") | self.env.ref(
            "crm_deal_phases.demo_user_closer_2"
        )
        criteria = self.env["crm.qualification.criterion"].search([])
        now = fields.Datetime.now()
        for index, (name, company, first, last, mobile, path, extra) in enumerate(DEMO_LEADS):
            closer = closers[index % 2]
            lead = self.create(
                {
                    "name": name,
                    "type": "opportunity",
                    "partner_name": company or False,
                    "contact_firstname": first,
                    "contact_lastname": last or False,
                    "phone": mobile or False,
                    "team_id": team.id,
                    "user_id": setter.id,
                    "setter_id": setter.id,
                    "closer_id": closer.id if {"qualified", "first_meeting"} & set(path) else False,
                    "questionnaire": extra.get("questionnaire"),
                    "setter_appointment": now + timedelta(days=extra["setter_appointment"])
                    if "setter_appointment" in extra
                    else False,
                    "expected_revenue": extra.get("revenue", 0),
                }
            )
            for phase in path:
                lead._demo_move(phase, closer, criteria, extra)
            if extra.get("calls"):
                lead.write({"call_count": extra["calls"], "last_call_date": now - timedelta(days=index % 5)})
            for reason in extra.get("strikes", []):
                lead.action_add_strike(reason)
            if extra.get("postponed"):
                lead.write({"postponed_count": extra["postponed"]})
            lead._demo_backdate(days=extra.get("days", 1 + index % 8))

    def _demo_move(self, phase, closer, criteria, extra):
        vals = {"stage_id": self.env["crm.stage"]._get_phase_stage(phase).id}
        if phase in ("qualified", "first_meeting"):
            vals["qualification_criterion_ids"] = [fields.Command.set(criteria.ids)]
        if phase in ("first_meeting", "second_meeting"):
            vals["closer_id"] = closer.id
            date_field = "first_meeting_date" if phase == "first_meeting" else "second_meeting_date"
            vals[date_field] = fields.Datetime.now() + timedelta(days=extra.get("meeting", 3))
        if phase == "not_sold":
            vals["lost_reason_id"] = self.env.ref(extra.get("lost", "crm_deal_phases.lost_reason_decided_against")).id
        if phase == "unqualified":
            vals["ko_reason_id"] = self.env.ref(extra.get("ko", "crm_deal_phases.ko_reason_wrong_industry")).id
        self.write(vals)

    def _demo_backdate(self, days):
        """Spread the history over the past weeks, as a running team's would be."""
        logs = self.env["crm.deal.phase.log"].sudo().search([("lead_id", "=", self.id)], order="id")
        start = fields.Datetime.now() - timedelta(days=days + 2 * len(logs))
        for step, log in enumerate(logs):
            log.date = start + timedelta(days=2 * step)
        self.date_last_stage_update = logs[-1:].date or start

    @api.model
    def _demo_bring_stock_leads_into_phases(self):
        """crm's demo leads sit in its stock stages: they enter the phases at Inquiry received
        (won ones go to Sold where complete), so the demo board shows the eight phases only."""
        self._split_existing_contact_names()
        Stage = self.env["crm.stage"]
        stock_leads = self.with_context(active_test=False).search([("stage_id.deal_phase", "=", False)])
        sold = Stage._get_phase_stage("sold")
        inquiry = Stage._get_phase_stage("inquiry")
        won = stock_leads.filtered(lambda lead: lead.stage_id.is_won and lead.is_inquiry_complete)
        move = PhaseMove(reason=self.env._("Demo data: taken over from the stock pipeline"), override=True)
        if won:
            won.with_context(**{PhaseMove.CONTEXT_KEY: move}).write({"stage_id": sold.id})
        (stock_leads - won).with_context(**{PhaseMove.CONTEXT_KEY: move}).write({"stage_id": inquiry.id})
