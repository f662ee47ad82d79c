from odoo.tests import HttpCase, tagged

from .common import DealPhasesCase


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestBoardInBrowser(HttpCase, DealPhasesCase):
    """The board as its German-speaking users meet it: tours in headless Chromium."""

    # all eight columns on screen, so a card is dropped where a user would drop it
    browser_size = "3200x1000"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ensure_german()
        cls.user_setter.write({"password": "dp_setter_pw", "lang": "de_DE"})
        cls.user_closer.write({"password": "dp_closer_pw", "lang": "de_DE"})

    def pipeline_url(self, *path):
        action = self.env.ref("crm.crm_lead_action_pipeline")
        return "/".join([f"/odoo/action-{action.id}", *map(str, path)])

    def test_drag_and_drop_obeys_the_graph(self):
        inquiry = self.create_lead("inquiry", name="Tour Inquiry", user_id=self.user_setter.id)
        gold = self.create_lead("inquiry", name="Tour Gold", user_id=self.user_setter.id)
        self.start_tour(self.pipeline_url(), "crm_deal_phases_board", login="dp_setter", password="dp_setter_pw")
        self.assertEqual(self.phase_of(inquiry), "inquiry")
        self.assertEqual(self.phase_of(gold), "first_meeting")

    def test_no_show_from_the_form(self):
        lead = self.create_lead("first_meeting", name="Tour Meeting", user_id=self.user_closer.id)
        self.start_tour(
            self.pipeline_url(lead.id), "crm_deal_phases_no_show", login="dp_closer", password="dp_closer_pw"
        )
        self.assertEqual(self.phase_of(lead), "follow_up")
        self.assertEqual(lead.no_show_count, 1)

    def test_work_lists_from_the_menu(self):
        self.start_tour(self.pipeline_url(), "crm_deal_phases_work_lists", login="dp_setter", password="dp_setter_pw")
