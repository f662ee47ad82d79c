from . import intake
from . import inquiry_page
from . import booking
