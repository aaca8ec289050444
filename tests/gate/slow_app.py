"""An app whose import never finishes in time: the gate must give up and stop it."""

import time

time.sleep(60)
app = None
