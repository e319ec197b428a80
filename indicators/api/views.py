from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics

from indicators.api.serializers import IndicatorSerializer, IndicatorValueSerializer
from indicators.filters import IndicatorValueFilter
from indicators.models import Indicator
from indicators.selectors import indicator_values_published
from portal.api import error_responses

_INDICATORS = Indicator.objects.select_related("document", "scope").order_by(
    "document_id", "position", "code", "id"
)


@extend_schema_view(
    get=extend_schema(
        summary="Chỉ tiêu", responses={200: IndicatorSerializer, **error_responses(404)}
    )
)
class IndicatorListView(generics.ListAPIView):
    """Every indicator (targets are public to signed-in users)."""

    serializer_class = IndicatorSerializer
    queryset = _INDICATORS


@extend_schema_view(
    get=extend_schema(
        summary="Một chỉ tiêu", responses={200: IndicatorSerializer, **error_responses(404)}
    )
)
class IndicatorDetailView(generics.RetrieveAPIView):
    serializer_class = IndicatorSerializer
    queryset = _INDICATORS


@extend_schema_view(
    get=extend_schema(
        summary="Giá trị chỉ tiêu đã duyệt",
        responses={200: IndicatorValueSerializer, **error_responses(400, 404)},
    )
)
class IndicatorValueListView(generics.ListAPIView):
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return indicator_values_published().order_by("indicator_id", "scope_id", "year", "id")
