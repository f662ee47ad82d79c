STOCK_STAGE_XMLIDS = ("crm.stage_lead1", "crm.stage_lead2", "crm.stage_lead3", "crm.stage_lead4")


def post_init_hook(env):
    """Leave the pipeline with the eight phases only: crm's stock stages go, unless they
    hold leads (archived ones included), which then stay where they are. Existing leads
    get first and last name from their contact name; the phases get crm's rotting as the
    phase table says."""
    env["crm.lead"]._split_existing_contact_names()
    env["crm.stage"]._apply_rotting_thresholds(env["crm.lead"]._deal_settings().follow_up_cadence_days)
    stock_stages = env["crm.stage"].browse(
        [stage.id for xmlid in STOCK_STAGE_XMLIDS if (stage := env.ref(xmlid, raise_if_not_found=False))]
    )
    if not stock_stages:
        return
    used = (
        env["crm.lead"]
        .with_context(active_test=False)
        ._read_group([("stage_id", "in", stock_stages.ids)], ["stage_id"])
    )
    used_stages = env["crm.stage"].union(*(stage for (stage,) in used))
    (stock_stages - used_stages).unlink()


def uninstall_hook(env):
    """Keep the eight stages as ordinary stages: leads stay where they are, and no lead is
    left without a stage when the module's records are removed. CRM opens on crm's own
    pipeline again."""
    env["ir.model.data"].search([("module", "=", "crm_deal_phases"), ("model", "=", "crm.stage")]).unlink()
    menu = env.ref("crm.crm_menu_root", raise_if_not_found=False)
    if menu:
        menu.action = False
