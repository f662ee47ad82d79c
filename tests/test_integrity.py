"""Eight ways a lead escaped the graph, faked its data or lost its history, each closed at
its root and tried again through the door it was found at: a real XML-RPC / JSON-2 client,
or a stock wizard as the web client drives it."""

from odoo.tests import Form, HttpCase, mute_logger, tagged

from .common import DealPhasesCase, RpcMixin

MALFORMED_STAGES = ("list", "dict", "float", "true", "two ids", "xml id", "negative", "unknown")


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestIntegrity(RpcMixin, HttpCase, DealPhasesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpRpc()
        cls.upsell_team, cls.upsell_stage = cls.create_upsell_team()
        cls.upsell_seller = cls.env["res.users"].create(
            {
                "name": "Uwe Upsell",
                "login": "dp_upsell_seller",
                "password": "dp_upsell_seller",
                "group_ids": [(6, 0, cls.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        cls.upsell_team.member_ids = cls.upsell_seller

    def setUp(self):
        super().setUp()
        self.lead = self.create_lead("follow_up", name="Integrity lead", user_id=self.rpc_user.id)

    def upsell_lead(self, name):
        """A lead of a team with a pipeline of its own, in that pipeline."""
        return self.env["crm.lead"].create({"name": name, "type": "opportunity", "team_id": self.upsell_team.id})

    def leaving_rows(self, lead):
        return self.log_of(lead).filtered(lambda row: row.transition_label == "Left the deal phases")

    # 1. merge

    def test_merge_keeps_every_history_row(self):
        tail = self.create_lead("inquiry", name="Merged away", user_id=self.rpc_user.id)
        head_rows, tail_rows, tail_id = self.log_of(self.lead), self.log_of(tail), tail.id
        wizard = Form(
            self.env["crm.merge.opportunity"]
            .with_user(self.rpc_user)
            .with_context(active_model="crm.lead", active_ids=(self.lead | tail).ids)
        ).save()
        merged = wizard.action_merge()
        self.assertFalse(tail.exists())
        self.assertEqual(merged["res_id"], self.lead.id)
        rows = self.log_of(self.lead)
        self.assertEqual(len(rows), len(head_rows) + len(tail_rows), "no row lost")
        carried = rows.filtered("merged_lead_ref")
        self.assertEqual(len(carried), len(tail_rows))
        self.assertEqual(set(carried.mapped("merged_lead_ref")), {tail_id})
        self.assertEqual(set(carried.mapped("merged_lead_name")), {"Merged away"})
        self.assertEqual(self.phase_of(self.lead), "follow_up", "the surviving lead keeps its phase")

    def test_history_outlives_the_user_who_moved_the_lead(self):
        """The history's references to users, teams, stages and companies carry no foreign
        key (a move pays no key checks); deleting the user who moved a lead keeps its rows,
        without the user, as the key's ON DELETE SET NULL did, and the history still opens."""
        mover = self.env["res.users"].create(
            {
                "name": "Gone Setter",
                "login": "dp_gone_setter",
                "group_ids": [(6, 0, self.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        self.team.member_ids |= mover
        lead = self.create_lead("inquiry", name="Outliving history", user_id=mover.id)
        lead.with_user(mover).write({"stage_id": self.stages["follow_up"].id})
        row = self.log_of(lead)[-1]
        self.assertEqual((row.user_id, row.to_phase), (mover, "follow_up"))
        self.env.cr.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'crm_deal_phase_log'::regclass AND contype = 'f'"
        )
        self.assertEqual(self.env.cr.fetchone()[0], 1, "the lead's key only")
        mover.unlink()
        self.env.invalidate_all()
        self.env.cr.execute("SELECT user_id, to_phase FROM crm_deal_phase_log WHERE id = %s", [row.id])
        self.assertEqual(self.env.cr.fetchone(), (None, "follow_up"), "the row stays, without the deleted user")
        spec = {"phase_log_ids": {"fields": {"user_id": {"fields": {"display_name": {}}}, "to_phase": {}}}}
        history = lead.with_user(self.user_manager).web_read(spec)[0]["phase_log_ids"]
        self.assertIn({"id": row.id, "user_id": False, "to_phase": "follow_up"}, history)

    # 2. the salesperson decides the team, the team decides the stage

    def test_salesperson_change_moves_out_of_the_phases_logged(self):
        self.xmlrpc("crm.lead", "write", [[self.lead.id], {"user_id": self.upsell_seller.id}], user=self.user_manager)
        self.lead.invalidate_recordset()
        self.assertEqual(self.lead.team_id, self.upsell_team)
        self.assertEqual(self.lead.stage_id, self.upsell_stage)
        self.assertEqual(len(self.leaving_rows(self.lead)), 1)

    def test_merge_and_convert_wizards_with_a_salesperson_are_judged(self):
        tail = self.create_lead("inquiry", name="Tail", user_id=self.rpc_user.id)
        wizard = Form(
            self.env["crm.merge.opportunity"]
            .with_user(self.user_manager)
            .with_context(active_model="crm.lead", active_ids=(self.lead | tail).ids)
        )
        wizard.user_id = self.upsell_seller
        wizard.save().action_merge()
        self.assertEqual(self.phase_of(self.lead), False)
        self.assertEqual(len(self.leaving_rows(self.lead)), 1)
        for model in ("crm.lead2opportunity.partner", "crm.lead2opportunity.partner.mass"):
            with self.subTest(wizard=model):
                lead = self.create_lead("inquiry", type="lead", user_id=False, partner_id=False)
                form = Form(
                    self.env[model]
                    .with_user(self.user_manager)
                    .with_context(active_model="crm.lead", active_id=lead.id, active_ids=lead.ids)
                )
                if "user_ids" in form._view["fields"]:
                    form.user_ids.add(self.upsell_seller)
                else:
                    form.user_id = self.upsell_seller
                form.team_id = self.upsell_team
                form.save().action_apply()
                self.assertEqual(self.phase_of(lead), False)
                self.assertEqual(len(self.leaving_rows(lead)), 1)

    def test_back_into_a_phase_team_enters_at_inquiry_with_a_row(self):
        upsell = self.upsell_lead("Upsell lead")
        self.assertEqual(upsell.stage_id, self.upsell_stage)
        upsell.with_user(self.user_manager).write({"user_id": self.user_setter.id})
        self.assertEqual(self.phase_of(upsell), "inquiry")
        self.assertEqual(self.log_of(upsell)[-1].transition_label, "Entered the deal phases")
        stays_stock = self.upsell_lead("Orphan, stock")
        stays_stock.with_user(self.user_manager).write({"team_id": False})
        self.assertEqual(self.phase_of(stays_stock), False, "by default a lead without a team is crm's")
        self.assertFalse(self.log_of(stays_stock))
        self.company.deal_phases_without_team = True
        orphan = self.upsell_lead("Orphan")
        orphan.with_user(self.user_manager).write({"team_id": False})
        self.assertEqual(self.phase_of(orphan), "inquiry", "where the company says so, it follows the phases")

    # 3. creation outside Inquiry received

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_creation_lands_in_inquiry_or_is_refused(self):
        lead_id = self.xmlrpc("crm.lead", "create", [{"name": "No stage", "stage_id": False, "team_id": self.team.id}])
        self.assertEqual(self.phase_of(self.env["crm.lead"].browse(lead_id)), "inquiry")
        foreign = {"name": "Foreign stage", "stage_id": self.upsell_stage.id, "team_id": self.team.id}
        self.assertXmlrpcRefused("crm.lead", "create", [foreign], expected_text="stage of another pipeline")
        self.assertJson2Refused("crm.lead", "create", {"vals_list": [foreign]})
        in_phase = {"name": "Upsell in a phase", "stage_id": self.stages["inquiry"].id, "team_id": self.upsell_team.id}
        self.assertXmlrpcRefused("crm.lead", "create", [in_phase], user=self.user_manager)
        self.assertFalse(self.env["crm.lead"].search([("name", "in", ("Foreign stage", "Upsell in a phase"))]))

    # 4. reports cross companies: tests/test_security.py, TestReportRules; here over RPC

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_reports_over_rpc_stay_in_the_users_companies(self):
        other = self.env["res.company"].create({"name": "Fremd AG"})
        team = self.env["crm.team"].create({"name": "Fremd", "company_id": other.id, "use_deal_phases": True})
        self.env["crm.lead"].create(
            self.complete_vals(name="Foreign company lead", company_id=other.id, team_id=team.id, user_id=False)
        )
        self.env.flush_all()
        rows = self.xmlrpc("crm.deal.phase.report", "search_read", [[], ["lead_id"]], user=self.user_manager)
        self.assertNotIn("Foreign company lead", [row["lead_id"][1] for row in rows if row["lead_id"]])

    # 5. a stage value that is not an id

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_malformed_stage_values_are_refused_before_anything_is_written(self):
        sold, qualified = self.stages["sold"].id, self.stages["qualified"].id
        values = dict(
            zip(
                MALFORMED_STAGES,
                (
                    [qualified],
                    {"id": qualified},
                    float(qualified),
                    True,
                    [qualified, sold],
                    "crm_deal_phases.stage_qualified",
                    -1,
                    987654,
                ),
                strict=True,
            )
        )
        for shape, value in values.items():
            with self.subTest(shape=shape):
                self.assertXmlrpcRefused("crm.lead", "write", [[self.lead.id], {"stage_id": value}])
                self.assertJson2Refused("crm.lead", "write", {"ids": [self.lead.id], "vals": {"stage_id": value}})
        self.assertXmlrpcRefused(
            "crm.lead", "write", [[self.lead.id], {"stage_id": False}], expected_text="always has a stage"
        )
        self.assertEqual(self.phase_of(self.lead), "follow_up")
        for field, value in (
            ("closer_id", [self.user_closer.id]),
            ("ko_reason_id", "x"),
            ("first_meeting_date", "next tuesday"),
            ("qualification_criterion_ids", "all"),
            ("contact_firstname", {"de": "Anna"}),
        ):
            with self.subTest(field=field):
                self.assertXmlrpcRefused(
                    "crm.lead", "write", [[self.lead.id], {field: value}], expected_text="expected"
                )

    # 6. faked requirements

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_requirements_are_judged_from_the_source_data(self):
        bare = self.create_lead("follow_up", name="Bare", user_id=self.rpc_user.id, qualification_criterion_ids=False)
        for flags in ({"is_gold_standard": True}, {"is_inquiry_complete": True}):
            with self.subTest(flags=flags):
                self.assertXmlrpcRefused(
                    "crm.lead",
                    "write",
                    [[bare.id], {"stage_id": self.stages["qualified"].id, **flags}],
                    expected_text="cannot be written",
                )
        self.assertJson2Refused("crm.lead", "write", {"ids": [bare.id], "vals": {"strike_count": 0}})
        result = self.xmlrpc(
            "crm.lead",
            "load",
            [
                ["id", "stage_id/id", "is_gold_standard"],
                [[bare.sudo()._export_rows([["id"]])[0][0], "crm_deal_phases.stage_qualified", "1"]],
            ],
        )
        self.assertFalse(result["ids"])
        self.assertEqual(self.phase_of(bare), "follow_up")
        self.assertFalse(bare.is_gold_standard)

    # 7. a context key reopening closed transitions

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_archived_transitions_stay_closed_whatever_the_context(self):
        transition = self.env.ref("crm_deal_phases.transition_follow_up_to_qualified")
        transition.with_user(self.user_manager).active = False
        move = [[self.lead.id], {"stage_id": self.stages["qualified"].id}]
        self.assertXmlrpcRefused("crm.lead", "write", move, {"active_test": False})
        self.assertXmlrpcRefused("crm.lead", "write", move)
        self.registry.clear_cache()
        self.assertXmlrpcRefused("crm.lead", "write", move, {"active_test": False})  # fills the cache
        self.assertNotIn("qualified", self.env["crm.stage.transition"]._targets_of("follow_up"))
        self.assertEqual(self.phase_of(self.lead), "follow_up")

    # 8. a stage's phase code changed under its leads

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_phase_code_of_a_stage_with_leads_is_kept(self):
        stage = self.stages["follow_up"]
        for code in (False, "sold"):
            self.assertXmlrpcRefused(
                "crm.stage",
                "write",
                [stage.ids, {"deal_phase": code}],
                user=self.user_manager,
                expected_text="holds",
            )
        self.assertEqual(stage.deal_phase, "follow_up")
        empty = self.env["crm.stage"].create({"name": "Spare"})
        self.xmlrpc("crm.stage", "write", [empty.ids, {"name": "Spare stage"}], user=self.user_manager)
