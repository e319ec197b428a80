"""The bench's peer for the task API: the ListAPIView anyone would write in an afternoon over
the same models and columns, so the portal's endpoint is measured against something real.

``select_related`` for the document, ``prefetch_related`` for assignments and tracks with
their units, ``ModelSerializer`` all the way down, the same visibility scope, the same
``TaskFilter`` and the same page (``PageNumberPagination``, a separate ``COUNT``). It computes
no status (no column holds one), which only makes it cheaper than the portal's endpoint.
Mounted by ``bench.urls`` under ``bench.settings`` only.
"""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import generics, serializers

from accounts.models import Unit
from documents.models import Document
from portal.api import Pagination
from tasks.filters import TaskFilter, default_task_order
from tasks.models import Task, TaskAssignment, TaskTrack
from tasks.selectors import task_visible_to


class PeerUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name"]


class PeerDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "number", "slug", "title"]


class PeerAssignmentSerializer(serializers.ModelSerializer):
    unit = PeerUnitSerializer()

    class Meta:
        model = TaskAssignment
        fields = ["unit", "role", "position"]


class PeerTrackSerializer(serializers.ModelSerializer):
    unit = PeerUnitSerializer()

    class Meta:
        model = TaskTrack
        fields = ["id", "unit", "percent", "completed_on"]


class PeerTaskSerializer(serializers.ModelSerializer):
    document = PeerDocumentSerializer()
    assignments = PeerAssignmentSerializer(many=True)
    tracks = PeerTrackSerializer(many=True)

    class Meta:
        model = Task
        fields = [
            "id", "document", "ref", "title", "parent_id", "implements_id", "assignments",
            "deadline_text", "deadline_kind", "due_on", "starts_on", "recurrence",
            "deadline_normalized", "deadline_note", "tracks", "completed_on",
        ]  # fmt: skip


class PeerTaskListView(generics.ListAPIView):
    serializer_class = PeerTaskSerializer
    filterset_class = TaskFilter
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Task]:
        tasks = task_visible_to(self.request.user).select_related("document")
        tasks = tasks.prefetch_related("assignments__unit", "tracks__unit")
        return default_task_order(tasks)
