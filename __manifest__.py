{
    "name": "CRM Deal Phases",
    "version": "19.0.1.1.0",
    "category": "Sales/CRM",
    "summary": "Eight documented deal phases as the CRM pipeline, with an enforced phase graph",
    "description": """
Turns a sales team's documented deal process into the CRM pipeline: eight phases
(Inquiry received, Follow-up, Qualified (no appointment), First consultation,
Second consultation, Sold, Not sold, Unqualified), a transition table that every path
that changes a stage obeys, the data each phase requires, and an audit trail.
""",
    "author": "crm_deal_phases contributors",
    "website": "https://github.com/crm-deal-phases/crm_deal_phases",
    "license": "LGPL-3",
    "depends": ["crm"],
    "data": [
        "security/crm_deal_phases_security.xml",
        "security/ir.model.access.csv",
        "data/crm_stage_data.xml",
        "data/crm_stage_transition_data.xml",
        "data/crm_qualification_criterion_data.xml",
        "data/crm_ko_reason_data.xml",
        "data/crm_lost_reason_data.xml",
        "views/crm_stage_views.xml",
        "views/crm_stage_transition_views.xml",
        "views/crm_qualification_criterion_views.xml",
        "views/crm_ko_reason_views.xml",
        "views/crm_deal_phase_log_views.xml",
        "wizard/crm_lead_phase_force_views.xml",
        "wizard/crm_lead_phase_move_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_lead_worklist_views.xml",
        "views/crm_team_views.xml",
        "views/res_config_settings_views.xml",
        "data/ir_actions_server_data.xml",
        "data/ir_cron_data.xml",
        "report/crm_deal_phase_report_views.xml",
        "views/crm_deal_phases_menus.xml",
    ],
    "demo": [
        "demo/crm_deal_phases_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_deal_phases/static/src/**/*",
        ],
        "web.assets_tests": [
            "crm_deal_phases/static/tests/tours/**/*",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "application": True,
    "installable": True,
}
