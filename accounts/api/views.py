from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import (
    TokenCreatedSerializer,
    TokenCreateInput,
    TokenSerializer,
    UnitSerializer,
)
from accounts.filters import UnitFilter
from accounts.models import ApiToken, Unit
from accounts.services import api_token_create, api_token_revoke
from portal.api import error_responses


@extend_schema_view(
    get=extend_schema(
        summary="Đơn vị", responses={200: UnitSerializer, **error_responses(400, 404)}
    )
)
class UnitListView(generics.ListAPIView):
    """Every unit (units are visible to any signed-in user)."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    queryset = Unit.objects.prefetch_related("members", "successions").order_by("name", "id")


@extend_schema_view(
    get=extend_schema(
        summary="Mã truy cập của tôi", responses={200: TokenSerializer, **error_responses(404)}
    )
)
class TokenListCreateView(generics.ListAPIView):
    """The caller's own API tokens (never their keys)."""

    queryset = ApiToken.objects.none()  # for the schema; get_queryset scopes to the caller
    serializer_class = TokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        summary="Tạo mã truy cập",
        request=TokenCreateInput,
        responses={201: TokenCreatedSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        data = TokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, raw = api_token_create(
            user=request.user,
            name=data.validated_data["name"],
            days=data.validated_data.get("days"),
        )
        token.key = raw  # type: ignore[attr-defined]
        return Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


class TokenRevokeView(APIView):
    @extend_schema(
        summary="Thu hồi mã truy cập",
        responses={204: None, **error_responses(404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
        api_token_revoke(token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
