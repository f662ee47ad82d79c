from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users

from .common import DealPhasesCase


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestPhasePaths(DealPhasesCase):
    """The graph holds on every path that changes a stage."""

    @users("dp_setter")
    def test_mass_write_is_all_or_nothing(self):
        ready = self.create_lead("inquiry", name="Ready")
        incomplete = self.create_lead("inquiry", name="Missing phone", phone=False)
        sold = self.create_lead("sold", name="Already sold")
        batch = (ready | incomplete | sold).with_env(self.env)
        with self.assertRaises(UserError) as error:
            batch.write({"stage_id": self.stages["follow_up"].id})
        self.assertIn("Already sold", str(error.exception))
        self.assertEqual(batch.mapped(self.phase_of), ["inquiry", "inquiry", "sold"])
        with self.assertRaises(UserError) as error:
            (ready | incomplete).with_env(self.env).write({"stage_id": self.stages["follow_up"].id})
        self.assertIn("Missing phone", str(error.exception))
        self.assertNotIn('"Ready"', str(error.exception))

    @users("dp_setter")
    def test_import_through_load(self):
        Lead = self.env["crm.lead"]
        fields = ["name", "contact_firstname", "contact_lastname", "phone", "stage_id/id"]
        result = Lead.load(
            fields, [["Imported inquiry", "Ida", "Import", "+49 160 111", "crm_deal_phases.stage_inquiry"]]
        )
        self.assertFalse([m for m in result["messages"] if m["type"] == "error"], result["messages"])
        self.assertEqual(Lead.browse(result["ids"]).deal_phase, "inquiry")
        result = Lead.load(fields, [["Imported as sold", "Ida", "Import", "+49 160 112", "crm_deal_phases.stage_sold"]])
        self.assertFalse(result["ids"])
        self.assertIn("New leads start in Inquiry received", " ".join(m["message"] for m in result["messages"]))
        # an update through import obeys the graph too
        lead = self.create_lead("inquiry", name="Import update").with_env(self.env)
        xmlid = lead.sudo()._export_rows([["id"]])[0][0]
        result = Lead.load(["id", "stage_id/id"], [[xmlid, "crm_deal_phases.stage_sold"]])
        self.assertFalse(result["ids"])
        self.assertEqual(self.phase_of(lead), "inquiry")

    @users("dp_closer")
    def test_won_button_reaches_sold_only_where_allowed(self):
        for phase, allowed in (
            ("first_meeting", True),
            ("second_meeting", True),
            ("not_sold", True),
            ("inquiry", False),
        ):
            with self.subTest(phase=phase):
                lead = self.create_lead(phase, user_id=self.user_closer.id).with_env(self.env)
                if allowed:
                    lead.action_set_won()
                    self.assertEqual(lead.deal_phase, "sold")
                    self.assertEqual(lead.won_status, "won")
                else:
                    with self.assertRaises(UserError):
                        lead.action_set_won()
                    self.assertEqual(self.phase_of(lead), phase)

    @users("dp_setter")
    def test_copy_starts_in_inquiry(self):
        lead = self.create_lead("not_sold").with_env(self.env)
        duplicate = lead.copy()
        self.assertEqual(duplicate.deal_phase, "inquiry")
        self.assertFalse(duplicate.ko_reason_id)

    @users("dp_manager")
    def test_merge_keeps_the_head_phase(self):
        head = self.create_lead("first_meeting", name="Head", expected_revenue=1000).with_env(self.env)
        tail = self.create_lead("inquiry", name="Tail").with_env(self.env)
        merged = (head | tail)._merge_opportunity(auto_unlink=False)
        self.assertEqual(merged, head)
        self.assertEqual(merged.deal_phase, "first_meeting")

    @users("dp_setter")
    def test_server_action_obeys_the_graph(self):
        action = (
            self.env["ir.actions.server"]
            .sudo()
            .create(
                {
                    "name": "Jump to Sold",
                    "model_id": self.env.ref("crm.model_crm_lead").id,
                    "state": "code",
                    "code": "records.write({'stage_id': env.ref('crm_deal_phases.stage_sold').id})",
                }
            )
        )
        lead = self.create_lead("inquiry").with_env(self.env)
        with self.assertRaises(UserError):
            action.with_user(self.env.user).with_context(active_model="crm.lead", active_ids=lead.ids).run()
        self.assertEqual(self.phase_of(lead), "inquiry")

    @users("dp_manager")
    def test_manager_plain_write_obeys_the_graph(self):
        lead = self.create_lead("inquiry").with_env(self.env)
        with self.assertRaises(UserError):
            lead.write({"stage_id": self.stages["sold"].id})
        self.assertEqual(self.phase_of(lead), "inquiry")

    def test_context_keys_do_not_switch_the_rules_off(self):
        lead = self.create_lead("inquiry").with_user(self.user_setter)
        for key in ("install_mode", "import_file", "tracking_disable", "module", "crm_deal_phases_move"):
            with self.subTest(key=key), self.assertRaises(UserError):
                lead.with_context(**{key: True}).write({"stage_id": self.stages["sold"].id})
        self.assertEqual(self.phase_of(lead), "inquiry")

    def test_override_for_managers_with_a_reason(self):
        lead = self.create_lead("inquiry")
        with self.assertRaises(AccessError):
            lead.with_user(self.user_setter).action_force_phase(self.stages["sold"], "Please")
        with self.assertRaises(UserError):
            lead.with_user(self.user_manager).action_force_phase(self.stages["sold"], "  ")
        self.assertEqual(self.phase_of(lead), "inquiry")
        lead.with_user(self.user_manager).action_force_phase(self.stages["sold"], "Signed on paper at the fair")
        self.assertEqual(self.phase_of(lead), "sold")
        log = self.log_of(lead)[-1]
        self.assertTrue(log.is_override)
        self.assertEqual(log.reason, "Signed on paper at the fair")
        self.assertEqual(log.user_id, self.user_manager)
        self.assertIn("Signed on paper at the fair", lead.message_ids[0].body)

    def test_override_wizard(self):
        lead = self.create_lead("inquiry")
        wizard = (
            self.env["crm.lead.phase.force"]
            .with_user(self.user_manager)
            .with_context(active_model="crm.lead", active_ids=lead.ids)
            .create({"stage_id": self.stages["first_meeting"].id, "reason": "Booked directly by the CEO"})
        )
        wizard.action_apply()
        self.assertEqual(self.phase_of(lead), "first_meeting")

    def test_each_actual_change_is_logged_once(self):
        lead = self.create_lead("inquiry").with_user(self.user_setter)
        lead.write({"stage_id": self.stages["follow_up"].id})
        lead.write({"stage_id": self.stages["follow_up"].id})  # no change, no entry
        with self.assertRaises(UserError):
            lead.write({"stage_id": self.stages["sold"].id})
        log = self.log_of(lead)
        self.assertEqual(
            [(entry.from_phase, entry.to_phase) for entry in log], [(False, "inquiry"), ("inquiry", "follow_up")]
        )
        self.assertEqual(log[-1].transition_label, "Follow-up")
        self.assertEqual(log[-1].user_id, self.user_setter)
