from . import crm_lead_booking_mixin
from . import crm_lead_phase_force
from . import crm_lead_phase_move
from . import crm_lead_postpone
from . import crm_lead_strike
from . import crm_deal_call_session
from . import crm_deal_booking_link_send
from . import crm_deal_intake_secret
