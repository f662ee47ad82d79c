from . import crm_lead_phase_force
