from . import (
    crm_deal_phase_log,
    crm_ko_reason,
    crm_lead_phase_rules,
    crm_lead_qualification,
    crm_qualification_criterion,
    crm_stage,
    crm_stage_transition,
    deal_phase,
)
