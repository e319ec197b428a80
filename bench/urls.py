"""The portal's URLs and the bench's peer endpoint (``bench.settings`` only)."""

from django.urls import path

from bench.peer import PeerTaskListView
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("bench/peer/tasks/", PeerTaskListView.as_view(), name="bench-peer-tasks"),
    *portal_urlpatterns,
]
