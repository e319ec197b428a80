"""Settings of the bench's web server: the portal's own, plus a URLconf that mounts the plain
DRF peer (``bench.peer``). Only ``bench.run`` selects it (``DJANGO_SETTINGS_MODULE``);
production never serves the peer."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
