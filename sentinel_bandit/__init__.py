"""Sentinel's bandit plugins: static checks for the flaws Sentinel exists to prevent.

bandit loads them through the ``bandit.plugins`` entry point of the ``sentinel-asgi`` distribution,
so a plain ``bandit -r src`` runs them once Sentinel is installed; ``python -m sentinel_bandit -r src``
also fails loudly if any of them did not load. ``sentinel gate`` runs them with bandit's own tests.

======  ===============================  ====  ========
ID      name                            CWE   severity
======  ===============================  ====  ========
SNT901  cookie-session-middleware       613   medium
SNT902  session-not-rotated-at-login    384   high
SNT903  session-id-from-query           598   high
SNT904  fast-password-hash              916   high
SNT905  weak-argon2-parameters          916   high
SNT906  unsafe-xml-parsing              611   medium (high with request data or entities on)
SNT907  format-string-from-request      134   medium
SNT908  template-from-request           1336  high
SNT909  eval-of-request-data            95    high
SNT910  hardcoded-secret-key            321   high
SNT911  sql-injection                   89    high
SNT912  command-injection               78    high
SNT913  path-traversal                  22    high
SNT914  server-side-request-forgery     918   high
SNT915  open-redirect                   601   medium
SNT916  xpath-injection                 643   high
SNT917  deserialization-of-request-data 502   high
SNT918  reflected-xss                   79    medium
======  ===============================  ====  ========

Each plugin's module docstring documents it (what, why, evidence, fix). Only the plugin modules
import bandit: :mod:`sentinel_bandit.rules` and :func:`documentation` are safe for code that merely
needs the rule list; :func:`plugins` imports the plugins.

Why a top-level package and not ``scanner.static``: bandit imports every registered plugin on every
run in the environment. Importing ``scanner.*`` would pull in the whole scanner (httpx, the ``scan``
extra) and, if that failed, stevedore would drop the plugins with only a log line.
"""

from sentinel_bandit._registry import documentation, plugins
from sentinel_bandit.rules import RULES, RULES_BY_ID, PluginRule

__all__ = ["RULES", "RULES_BY_ID", "PluginRule", "documentation", "plugins"]
