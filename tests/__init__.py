from . import test_i18n
from . import test_phase_graph
from . import test_phase_paths
from . import test_rpc
from . import test_outcomes
from . import test_worklists
from . import test_readme
from . import test_ui
