from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from documents.api.serializers import DocumentDetailSerializer, DocumentSerializer
from documents.models import Document
from documents.selectors import document_chain
from portal.api import error_responses


@extend_schema_view(
    get=extend_schema(
        summary="Văn bản",
        responses={200: DocumentSerializer, **error_responses(404)},
    )
)
class DocumentListView(generics.ListAPIView):
    """Every document (documents are visible to any signed-in user)."""

    serializer_class = DocumentSerializer
    queryset = Document.objects.select_related("issuer").order_by(
        "issued_year", "issued_on", "slug", "id"
    )


class DocumentDetailView(generics.GenericAPIView):
    queryset = Document.objects.select_related("issuer").prefetch_related("relations_out")
    serializer_class = DocumentDetailSerializer

    @extend_schema(
        summary="Một văn bản và chuỗi văn bản liên quan",
        responses={200: DocumentDetailSerializer, **error_responses(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        document = self.get_object()
        # The chain is read by the selector (all edges in one query), then shaped here.
        document.above, document.below = document_chain(document)
        return Response(self.get_serializer(document).data)
