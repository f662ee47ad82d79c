"""Upgrade and uninstall for real, on a database that has the addon (run by tools/test.sh).

    python3 dev/check_lifecycle.py ODOO_CONFIG DATABASE

1. An admin renames a phase, edits and archives a transition and archives a criterion;
   a team on the phases has leads in several of them; a team with stages of its own, a team
   created by code and leads without a team sit in crm's stages.
2. `-u crm_deal_phases`: the edits are still there, nothing is duplicated.
3. Uninstall: every lead is still there, each in the stage it had.
4. Re-install: every lead still in the stage it had, no team on the phases until an admin
   turns one on.
Exits non-zero with a message on the first broken promise.
"""

import subprocess
import sys
from datetime import datetime, timedelta

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry


def env_for(cr):
    return api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})


def stage_of_each_lead(env):
    leads = env["crm.lead"].with_context(active_test=False).search([])
    return {lead.id: lead.stage_id.id for lead in leads}


def odoo_cli(config, database, option):
    command = [sys.executable, "-m", "odoo", "-c", config, "-d", database, option, "crm_deal_phases"]
    subprocess.run([*command, "--stop-after-init", "--log-level=warn"], check=True)


def fail(message):
    sys.exit(f"lifecycle check failed: {message}")


def main(config, database):
    odoo.tools.config.parse_config(["-c", config, "--log-level=warn"])
    with Registry(database).cursor() as cr:
        env = env_for(cr)
        env.ref("crm_deal_phases.stage_inquiry").name = "Neue Anfrage (umbenannt)"
        env.ref("crm_deal_phases.transition_first_meeting_to_follow_up").write({"name": "Kam nicht", "active": False})
        env.ref("crm_deal_phases.criterion_budget").active = False
        criteria = env["crm.qualification.criterion"].search([])
        team = env["crm.team"].create({"name": "Lifecycle phases", "use_deal_phases": True})
        partner_team = env["crm.team"].create({"name": "Lifecycle partners"})
        own_stage = env["crm.stage"].create({"name": "Lifecycle contract", "team_ids": [(4, partner_team.id)]})
        env["crm.lead"].create({"name": "Lifecycle partner", "team_id": partner_team.id, "stage_id": own_stage.id})
        env["crm.lead"].create({"name": "Lifecycle coded", "team_id": env["crm.team"].create({"name": "Coded"}).id})
        env["crm.lead"].create({"name": "Lifecycle teamless", "team_id": False, "user_id": False})
        for index, phase in enumerate(("inquiry", "follow_up", "first_meeting", "sold", "unqualified")):
            env["crm.lead"].create(
                {
                    "team_id": team.id,
                    "name": f"Lifecycle {phase}",
                    "contact_firstname": "Lea",
                    "contact_lastname": f"Lauf {index}",
                    "phone": "+49 170 5550000",
                    "qualification_criterion_ids": [(6, 0, criteria.ids)],
                    "ko_reason_id": env.ref("crm_deal_phases.ko_reason_wrong_industry").id,
                    "first_meeting_date": datetime.now() + timedelta(days=2),
                    "closer_id": env.ref("base.user_admin").id,
                    "expected_revenue": 5000,  # Sold asks for the deal's amount
                    "stage_id": env.ref(f"crm_deal_phases.stage_{phase}").id,
                }
            )
        counts = {
            model: env[model].with_context(active_test=False).search_count([])
            for model in ("crm.stage", "crm.stage.transition", "crm.qualification.criterion", "crm.ko.reason")
        }
        leads_before = env["crm.lead"].with_context(active_test=False).search_count([])
        stages_before = stage_of_each_lead(env)
        cr.commit()

    odoo_cli(config, database, "-u")
    with Registry.new(database).cursor() as cr:
        env = env_for(cr)
        if env.ref("crm_deal_phases.stage_inquiry").name != "Neue Anfrage (umbenannt)":
            fail("the upgrade overwrote a renamed phase")
        transition = env.ref("crm_deal_phases.transition_first_meeting_to_follow_up")
        if transition.name != "Kam nicht" or transition.active:
            fail("the upgrade overwrote an edited transition")
        if env.ref("crm_deal_phases.criterion_budget").active:
            fail("the upgrade re-activated an archived criterion")
        for model, count in counts.items():
            if env[model].with_context(active_test=False).search_count([]) != count:
                fail(f"the upgrade duplicated or removed {model} records")
        env["ir.module.module"].search([("name", "=", "crm_deal_phases")]).button_immediate_uninstall()

    with Registry.new(database).cursor() as cr:
        env = env_for(cr)
        Lead = env["crm.lead"].with_context(active_test=False)
        if Lead.search_count([]) != leads_before:
            fail("the uninstall lost leads")
        if stage_of_each_lead(env) != stages_before:
            fail("the uninstall moved leads")
        names = set(Lead.search([("name", "=like", "Lifecycle %")]).mapped("stage_id.name"))
        if "Neue Anfrage (umbenannt)" not in names:
            fail("the uninstall removed the phases' stages")

    odoo_cli(config, database, "-i")
    with Registry.new(database).cursor() as cr:
        env = env_for(cr)
        if stage_of_each_lead(env) != stages_before:
            fail("the re-install moved leads")
        if env["crm.team"].search_count([("use_deal_phases", "=", True)]):
            fail("the re-install turned a team on")
    print(
        f"lifecycle: upgrade kept the admin's edits; uninstall and re-install kept {leads_before} leads, "
        "each in its stage"
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
