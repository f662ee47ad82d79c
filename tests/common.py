from collections import Counter

from odoo.tests import TransactionCase, new_test_user

# The documented phase graph (Deal-Phasen), written out here on purpose: the tests compare
# the addon's behaviour and its seeded transition table against this, so a change to the
# data that drifts from the process fails them.
PHASES = (
    "inquiry",
    "follow_up",
    "qualified",
    "first_meeting",
    "second_meeting",
    "sold",
    "not_sold",
    "unqualified",
)
DOCUMENTED_GRAPH = {
    "inquiry": {"follow_up", "qualified", "first_meeting", "unqualified"},
    "follow_up": {"qualified", "first_meeting", "unqualified"},
    "qualified": {"first_meeting", "unqualified"},
    "first_meeting": {"sold", "not_sold", "qualified", "follow_up", "unqualified", "second_meeting"},
    "second_meeting": {"sold", "not_sold"},
    "not_sold": {"sold", "second_meeting"},
    "sold": set(),
    "unqualified": set(),
}
# Figures of the reliability tests, printed in one line at the end of a pytest run
# (tools/pytest_no_skips.py).
RELIABILITY = Counter(
    {"moves tried": 0, "graph violations": 0, "hostile calls refused": 0, "concurrent races resolved": 0}
)

STAGE_XMLIDS = {
    "inquiry": "crm_deal_phases.stage_inquiry",
    "follow_up": "crm_deal_phases.stage_follow_up",
    "qualified": "crm_deal_phases.stage_qualified",
    "first_meeting": "crm_deal_phases.stage_first_meeting",
    "second_meeting": "crm_deal_phases.stage_second_meeting",
    "sold": "crm_deal_phases.stage_sold",
    "not_sold": "crm_deal_phases.stage_not_sold",
    "unqualified": "crm_deal_phases.stage_unqualified",
}


class DealPhasesCase(TransactionCase):
    """Users, a team and helpers shared by the addon's tests, built once per class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, lang="en_US"))
        cls.company = cls.env.ref("base.main_company")
        cls.user_setter = new_test_user(
            cls.env, login="dp_setter", name="Sina Setter", groups="sales_team.group_sale_salesman"
        )
        cls.user_closer = new_test_user(
            cls.env, login="dp_closer", name="Carl Closer", groups="sales_team.group_sale_salesman"
        )
        cls.user_manager = new_test_user(
            cls.env, login="dp_manager", name="Mara Manager", groups="sales_team.group_sale_manager"
        )
        cls.team = cls.env["crm.team"].create(
            {"name": "Deal Phases Team", "member_ids": [(6, 0, (cls.user_setter | cls.user_closer).ids)]}
        )
        cls.stages = {phase: cls.env.ref(xmlid) for phase, xmlid in STAGE_XMLIDS.items()}
        cls.criteria = cls.env["crm.qualification.criterion"].search([])
        cls.ko_reason = cls.env.ref("crm_deal_phases.ko_reason_wrong_industry")
        cls.lost_reason = cls.env.ref("crm_deal_phases.lost_reason_no_budget")

    # Helpers

    @classmethod
    def complete_vals(cls, **extra):
        """Values of a lead that meets every phase's requirements."""
        return {
            "name": "Complete inquiry",
            "type": "opportunity",
            "contact_firstname": "Erika",
            "contact_lastname": "Mustermann",
            "phone": "+49 170 1234567",
            "qualification_criterion_ids": [(6, 0, cls.criteria.ids)],
            "lost_reason_id": cls.lost_reason.id,
            "ko_reason_id": cls.ko_reason.id,
            "team_id": cls.team.id,
            "user_id": cls.user_setter.id,
            **extra,
        }

    @classmethod
    def create_lead(cls, phase="inquiry", **vals):
        """A lead in phase, created by a manager (who may create leads in any phase)."""
        values = cls.complete_vals(**vals)
        values["stage_id"] = cls.stages[phase].id
        return cls.env["crm.lead"].with_user(cls.user_manager).create(values).with_user(cls.env.user)

    @classmethod
    def ensure_german(cls):
        """German active with the addon's translations, whatever the database was installed with."""
        env = cls.env(su=True)
        if not env["res.lang"]._lang_get("de_DE"):
            env["res.lang"]._activate_lang("de_DE")
            env["ir.module.module"].search([("name", "=", "crm_deal_phases")])._update_translations(["de_DE"])

    @classmethod
    def create_upsell_team(cls):
        """A team with a pipeline of its own (not the deal phases) and its one stage."""
        team = cls.env["crm.team"].create({"name": "Upsell", "use_deal_phases": False})
        stage = cls.env["crm.stage"].create({"name": "Upsell offer", "sequence": 1, "team_ids": [(6, 0, team.ids)]})
        return team, stage

    def phase_of(self, lead):
        lead.invalidate_recordset(["stage_id"])
        return lead.stage_id.deal_phase

    def log_of(self, lead):
        return self.env["crm.deal.phase.log"].sudo().search([("lead_id", "=", lead.id)], order="id")
