from . import crm_deal_phase_report
from . import crm_deal_closer_report
from . import crm_deal_phase_duration_report
