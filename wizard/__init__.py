from . import crm_lead_booking_mixin
from . import crm_lead_phase_force
from . import crm_lead_phase_move
from . import crm_lead_postpone
from . import crm_lead_strike
