def post_init_hook(env):
    """Installing changes no team: every team keeps crm's stages and its leads (teams turn the
    deal phases on one by one). Existing leads get first and last name from their contact
    name, ready for the day their team turns the phases on; the phases get crm's rotting as
    the phase table says."""
    env["crm.lead"]._split_existing_contact_names()
    env["crm.stage"]._apply_rotting_thresholds(env["crm.lead"]._deal_settings().follow_up_cadence_days)


def uninstall_hook(env):
    """Keep the eight stages as ordinary stages: leads stay where they are, and no lead is
    left without a stage when the module's records are removed. CRM opens on crm's own
    pipeline again."""
    env["ir.model.data"].search([("module", "=", "crm_deal_phases"), ("model", "=", "crm.stage")]).unlink()
    menu = env.ref("crm.crm_menu_root", raise_if_not_found=False)
    if menu:
        menu.action = False
