"""The benchmark's data (dev/bench.py): the same leads in both databases, spread over the
eight stages, made in bulk SQL; in the addon's database with their phase history."""

import psycopg2.extras

from odoo.addons.crm_deal_phases.models.deal_phase import ENTRY_PHASE, FOLLOW_UP, PHASE_CODES, QUALIFIED, SOLD
from odoo.tools import SQL


class BenchData:
    """What a Bench (bench_figures.py) measures on: its stages, its salesperson, its leads."""

    def stage_ids(self):
        if self.with_addon:
            return [self.env["crm.stage"]._stage_of_phase(phase).id for phase in PHASE_CODES]
        Stage = self.env["crm.stage"]
        stages = Stage.search([("name", "like", "Bench %")], order="sequence")
        if not stages:
            # won where Sold is (crm's is_won): a sale in stock pays what it pays in the addon,
            # the lead scoring's frequencies and every later move's probability from them
            stages = Stage.create(
                [
                    {"name": f"Bench {i}", "sequence": 100 + i, "is_won": phase == SOLD}
                    for i, phase in enumerate(PHASE_CODES)
                ]
            )
        return stages.ids

    def governed_team(self):
        """The leads' team, on the deal phases in the addon's database."""
        team = self.env.ref("sales_team.team_sales_department")
        if self.with_addon and not team.use_deal_phases:
            team.use_deal_phases = True
        return team.id

    def salesperson(self):
        """The user the moves are made as: a salesperson who sees all leads."""
        user = self.env["res.users"].search([("login", "=", "bench_seller")])
        return user or self.env["res.users"].create(
            {
                "name": "Bench Seller",
                "login": "bench_seller",
                "group_ids": [(6, 0, self.env.ref("sales_team.group_sale_salesman_all_leads").ids)],
            }
        )

    def populate(self):
        """N leads over the eight stages, the same in both databases, in one INSERT; in the
        addon's database each with its phase history (created, then moved to its phase). True
        when it loaded them."""
        if self.env["crm.lead"].search_count([("name", "=like", "Bench lead %")]) >= self.leads:
            return False
        extra_columns = extra_values = ""
        if self.with_addon:
            extra_columns = (
                ", contact_firstname, contact_lastname, is_inquiry_complete, is_gold_standard, lost_reason_id,"
                " ko_reason_id, closer_id, first_meeting_date, second_meeting_date"
            )
            lost = self.env.ref("crm_deal_phases.lost_reason_no_budget").id
            ko = self.env.ref("crm_deal_phases.ko_reason_wrong_industry").id
            extra_values = f", 'Erika', 'Muster ' || n, TRUE, TRUE, {lost}, {ko}, {self.seller.id}, now(), now()"
        stages = "ARRAY[" + ",".join(map(str, self.stages)) + "]"
        team = self.governed_team()
        self.cr.execute(
            SQL(
                f"""
            INSERT INTO crm_lead (name, type, stage_id, team_id, company_id, user_id, active, probability,
                                  automated_probability, priority, contact_name, phone, email_from,
                                  date_last_stage_update, create_date, write_date, create_uid, write_uid
                                  {extra_columns})
            SELECT 'Bench lead ' || n, 'opportunity', ({stages})[1 + mod(n, 8)], {team}, {self.env.company.id},
                   {self.seller.id}, TRUE, 10, 10, '0', 'Erika Muster ' || n, '+49 170 ' || n,
                   'lead' || n || '@example.com', now() - mod(n, 90) * interval '1 day',
                   now() - mod(n, 180) * interval '1 day', now(), 1, 1 {extra_values}
              FROM generate_series(1, {self.leads}) AS n
                """
            )
        )
        if self.with_addon:
            self.populate_addon_data()
        self.cr.execute(SQL("ANALYZE crm_lead"))
        return True

    def off_phase_pipeline(self):
        """(team, its four stages) of a team off the deal phases: crm's own pipeline, in both
        databases, as a team that does not use the phases has it."""
        Team, Stage = self.env["crm.team"], self.env["crm.stage"]
        team = Team.search([("name", "=", "Bench team off the phases")])
        if not team:
            team = Team.create({"name": "Bench team off the phases"})
        stages = Stage.search([("name", "=like", "Off %")], order="sequence")
        if not stages:
            stages = Stage.create(
                [{"name": f"Off {i}", "sequence": 200 + i, "team_ids": [(6, 0, team.ids)]} for i in range(4)]
            )
        return team.id, stages.ids

    def populate_off_phases(self):
        """As many leads as populate's, in the team off the phases, over its four stages; the
        same in both databases. Loaded after every other figure: they change none of them."""
        team, stages = self.off_phase_pipeline()
        if self.env["crm.lead"].search_count([("name", "=like", "Off lead %")]) < self.leads:
            self.cr.execute(
                SQL(
                    """
                INSERT INTO crm_lead (name, type, stage_id, team_id, company_id, user_id, active, probability,
                                      automated_probability, priority, contact_name, phone, email_from,
                                      date_last_stage_update, create_date, write_date, create_uid, write_uid)
                SELECT 'Off lead ' || n, 'opportunity', (%s::int[])[1 + mod(n, 4)], %s, %s, %s, TRUE, 10, 10,
                       '0', 'Otto Normal ' || n, '+49 171 ' || n, 'off' || n || '@example.com',
                       now() - mod(n, 90) * interval '1 day', now() - mod(n, 180) * interval '1 day', now(), 1, 1
                  FROM generate_series(1, %s) AS n
                    """,
                    stages,
                    team,
                    self.env.company.id,
                    self.seller.id,
                    self.leads,
                )
            )
            self.cr.commit()
            self.vacuum(full=True)
        return team, stages

    def populate_addon_data(self):
        criteria = self.env["crm.qualification.criterion"].search([]).ids
        self.cr.execute(
            SQL(
                """
            INSERT INTO crm_lead_qualification_criterion_rel (lead_id, criterion_id)
            SELECT lead.id, criterion FROM crm_lead lead, unnest(%s::int[]) criterion
             WHERE lead.name LIKE 'Bench lead %%'
                """,
                criteria,
            )
        )
        # a third called before; the calling phases' leads due by the cadence, a few never called
        self.cr.execute(
            SQL(
                """
            UPDATE crm_lead SET last_call_date = now() - mod(id, 30) * interval '1 day', call_count = 1 + mod(id, 4)
             WHERE mod(id, 3) = 0
                """
            )
        )
        calling = [self.stages[PHASE_CODES.index(phase)] for phase in (ENTRY_PHASE, FOLLOW_UP, QUALIFIED)]
        self.cr.execute(
            SQL(
                "UPDATE crm_lead SET next_call_due = now() - mod(id, 10) * interval '1 day' WHERE stage_id = ANY(%s)",
                calling,
            )
        )
        inquiry, phase_of = self.stages[0], dict(zip(self.stages, PHASE_CODES, strict=True))
        self.cr.execute(
            SQL(
                """
            INSERT INTO crm_deal_phase_log (lead_id, company_id, team_id, from_stage_id, to_stage_id, from_phase,
                                            to_phase, closer_id, setter_id, user_id, date)
            SELECT lead.id, lead.company_id, lead.team_id, moves.from_stage, moves.to_stage,
                   (%(phases)s::jsonb) ->> moves.from_stage::text, (%(phases)s::jsonb) ->> moves.to_stage::text,
                   lead.closer_id, lead.setter_id, 1, lead.create_date + moves.step * interval '3 days'
              FROM crm_lead lead
             CROSS JOIN LATERAL (VALUES (0, NULL::int, %(inquiry)s), (1, %(inquiry)s, lead.stage_id))
                   AS moves(step, from_stage, to_stage)
             WHERE lead.name LIKE 'Bench lead %%' AND (moves.step = 0 OR lead.stage_id <> %(inquiry)s)
                """,
                phases=psycopg2.extras.Json({str(stage): phase for stage, phase in phase_of.items()}),
                inquiry=inquiry,
            )
        )
        self.env["crm.lead"]._rebuild_deal_funnel()
        self.env["crm.deal.phase.log"]._rebuild_rate_facts()
        self.cr.execute(SQL("ANALYZE crm_deal_phase_log, crm_lead"))
