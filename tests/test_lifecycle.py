from odoo.exceptions import UserError
from odoo.modules.module import get_module_path
from odoo.tests import tagged
from odoo.tools import convert_file

from ..hooks import post_init_hook, uninstall_hook
from .common import STOCK_STAGE_XMLIDS, DealPhasesCase

DATA_FILES = (
    "data/crm_stage_data.xml",
    "data/crm_stage_transition_data.xml",
    "data/crm_qualification_criterion_data.xml",
    "data/crm_ko_reason_data.xml",
)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestLifecycle(DealPhasesCase):
    """Install, upgrade, uninstall and import keep every lead and every admin's edit."""

    def stock_stages(self):
        """crm's own stages: the install keeps them for every team that does not use the phases."""
        return self.env["crm.stage"].union(*(self.env.ref(xmlid) for xmlid in STOCK_STAGE_XMLIDS))

    def lead_from_before_the_install(self, name, stage, **vals):
        """A lead as crm kept it before the addon came: in a stock stage, without a phase
        history (today's rules would not create it there)."""
        lead = self.env["crm.lead"].create({"name": name, **vals})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET stage_id = %s, contact_firstname = NULL, contact_lastname = NULL WHERE id = %s",
            (stage.id, lead.id),
        )
        self.env.cr.execute("DELETE FROM crm_deal_phase_log WHERE lead_id = %s", (lead.id,))
        self.env.invalidate_all()
        return lead

    def test_install_changes_no_team_and_no_lead(self):
        stock = self.stock_stages()
        Lead = self.env["crm.lead"].with_context(active_test=False)
        legacy_lead = self.lead_from_before_the_install("Old pipeline lead", stock[0], contact_name="Ole Alt")
        archived = self.lead_from_before_the_install("Old archived", stock[1], active=False)
        before = {lead.id: lead.stage_id for lead in Lead.search([])}
        teams_on = self.env["crm.team"].search([("use_deal_phases", "=", True)])
        post_init_hook(self.env)
        self.assertEqual(self.stock_stages(), stock, "crm's stages stay, empty or not")
        for lead in Lead.browse(list(before)):
            self.assertEqual(lead.stage_id, before[lead.id], f"{lead.name} was moved")
        self.assertEqual(self.env["crm.team"].search([("use_deal_phases", "=", True)]), teams_on)
        self.assertEqual((legacy_lead.contact_firstname, legacy_lead.contact_lastname), ("Ole", "Alt"))
        self.assertTrue(archived.exists())
        self.assertFalse(self.log_of(legacy_lead), "no phase change without an admin's action")

    def test_upgrade_keeps_admin_edits(self):
        self.stages["inquiry"].name = "Neue Anfrage"
        transition = self.env.ref("crm_deal_phases.transition_first_meeting_to_follow_up")
        transition.write({"name": "Nicht aufgetaucht", "active": False})
        criterion = self.env.ref("crm_deal_phases.criterion_budget")
        criterion.active = False
        counts = {
            model: self.env[model].with_context(active_test=False).search_count([])
            for model in ("crm.stage", "crm.stage.transition", "crm.qualification.criterion", "crm.ko.reason")
        }
        path = get_module_path("crm_deal_phases")
        for data_file in DATA_FILES:
            convert_file(
                self.env,
                "crm_deal_phases",
                data_file,
                {},
                mode="update",
                noupdate=False,
                pathname=f"{path}/{data_file}",
            )
        self.env.invalidate_all()
        self.assertEqual(self.stages["inquiry"].name, "Neue Anfrage")
        self.assertEqual(transition.name, "Nicht aufgetaucht")
        self.assertFalse(transition.active)
        self.assertFalse(criterion.active)
        for model, count in counts.items():
            self.assertEqual(self.env[model].with_context(active_test=False).search_count([]), count, model)

    def test_uninstall_keeps_the_stages_of_the_leads(self):
        lead = self.create_lead("first_meeting")
        uninstall_hook(self.env)
        remaining = self.env["ir.model.data"].search([("module", "=", "crm_deal_phases"), ("model", "=", "crm.stage")])
        self.assertFalse(remaining, "the stages no longer belong to the module, so its removal keeps them")
        self.assertEqual(lead.stage_id, self.stages["first_meeting"])

    def test_import_with_good_and_bad_rows(self):
        Lead = self.env["crm.lead"].with_user(self.user_setter)
        fields = ["name", "contact_firstname", "contact_lastname", "phone", "stage_id/id"]
        rows = [
            ["Good row", "Gina", "Gut", "+49 170 1", "crm_deal_phases.stage_inquiry"],
            ["Bad row", "Bea", "Bad", "+49 170 2", "crm_deal_phases.stage_sold"],
            ["Another good row", "Otto", "Ok", "+49 170 3", ""],
        ]
        result = Lead.load(fields, rows)
        self.assertFalse(result["ids"], "nothing half-applied")
        errors = [message for message in result["messages"] if message["type"] == "error"]
        self.assertTrue(errors)
        self.assertIn("Bad row", errors[0]["message"])
        self.assertIn("New leads start in Inquiry received", errors[0]["message"])
        self.assertFalse(self.env["crm.lead"].search([("name", "in", ["Good row", "Another good row", "Bad row"])]))
        with self.assertRaises(UserError):
            Lead.create({"name": "x", "stage_id": self.stages["sold"].id})
