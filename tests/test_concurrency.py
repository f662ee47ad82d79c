from contextlib import closing
from datetime import datetime, timedelta

import psycopg2.errors

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import UserError
from odoo.tests import BaseCase, get_db_name, mute_logger, tagged

from .common import RELIABILITY, STAGE_XMLIDS


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestConcurrentMoves(BaseCase):
    """Two transactions on two real connections move the same lead at the same time: one
    commits, the other fails cleanly and, retried, is judged by the graph from the new phase.
    The data is committed for real, so the test removes it at the end."""

    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(get_db_name())
        with closing(self.db.cursor()) as cr:
            env = self.env_for(cr)
            criteria = env["crm.qualification.criterion"].search([])
            team = env["crm.team"].create({"name": "Concurrency team", "use_deal_phases": True})
            self.team_id = team.id
            lead = env["crm.lead"].create(
                {
                    "name": "Concurrent lead",
                    "team_id": team.id,
                    "contact_firstname": "Rita",
                    "contact_lastname": "Race",
                    "phone": "+49 170 0000000",
                    "qualification_criterion_ids": [(6, 0, criteria.ids)],
                    "first_meeting_date": datetime.now() + timedelta(days=3),
                    "closer_id": env.ref("base.user_admin").id,
                    "stage_id": env.ref(STAGE_XMLIDS["inquiry"]).id,
                }
            )
            self.lead_id = lead.id
            # two real transactions must see the lead
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self.remove_lead)

    def remove_lead(self):
        """The lead, and what booking it created: its calendar events and customer contact; its team."""
        with closing(self.db.cursor()) as cr:
            lead = self.env_for(cr)["crm.lead"].browse(self.lead_id)
            events, customer = lead.calendar_event_ids, lead.partner_id
            lead.unlink()
            events.unlink()
            customer.unlink()
            self.env_for(cr)["crm.team"].browse(self.team_id).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def env_for(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})

    def move(self, cr, phase):
        env = self.env_for(cr)
        env["crm.lead"].browse(self.lead_id).write({"stage_id": env.ref(STAGE_XMLIDS[phase]).id})
        env.flush_all()

    def phase_and_log(self):
        with closing(self.db.cursor()) as cr:
            env = self.env_for(cr)
            lead = env["crm.lead"].browse(self.lead_id)
            log = env["crm.deal.phase.log"].search([("lead_id", "=", self.lead_id)], order="id")
            return lead.deal_phase, [(entry.from_phase, entry.to_phase) for entry in log]

    def race(self, first_phase, second_phase):
        """The second transaction read the lead before the first committed its move."""
        with closing(self.db.cursor()) as first, closing(self.db.cursor()) as second:
            seen_by_second = self.env_for(second)["crm.lead"].browse(self.lead_id).deal_phase  # its snapshot
            self.assertEqual(seen_by_second, "inquiry")
            self.move(first, first_phase)
            first.commit()
            with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.SerializationFailure):
                self.move(second, second_phase)
            second.rollback()
        RELIABILITY["concurrent races resolved"] += 1

    def test_race_then_allowed_retry(self):
        self.race("follow_up", "first_meeting")
        with closing(self.db.cursor()) as retry:
            self.move(retry, "first_meeting")  # Follow-up -> First consultation is allowed
            retry.commit()
        phase, log = self.phase_and_log()
        self.assertEqual(phase, "first_meeting")
        self.assertEqual(log, [(False, "inquiry"), ("inquiry", "follow_up"), ("follow_up", "first_meeting")])

    def test_race_then_refused_retry(self):
        self.race("first_meeting", "follow_up")
        with closing(self.db.cursor()) as retry:
            # from First consultation, Follow-up is the no-show move: allowed; Inquiry is not
            with self.assertRaises(UserError):
                self.move(retry, "inquiry")
            retry.rollback()
        phase, log = self.phase_and_log()
        self.assertEqual(phase, "first_meeting")
        self.assertEqual(log, [(False, "inquiry"), ("inquiry", "first_meeting")])
