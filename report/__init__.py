from . import crm_deal_report_mixin
from . import crm_deal_phase_report
from . import crm_deal_funnel_report
from . import crm_deal_closer_report
from . import crm_deal_consultation_report
from . import crm_deal_phase_duration_report
from . import crm_deal_week_report
from . import crm_deal_call_report
