from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks.api.serializers import DeadlineParseInput, DeadlineParseOutput
from tasks.deadlines import parse_deadline


class DeadlineParseView(APIView):
    """Read a Vietnamese deadline phrase ("Hoàn thành trong quý II năm 2022")."""

    @extend_schema(request=DeadlineParseInput, responses={200: DeadlineParseOutput})
    def post(self, request: Request) -> Response:
        data = DeadlineParseInput(data=request.data)
        data.is_valid(raise_exception=True)
        deadline = parse_deadline(data.validated_data["text"], data.validated_data.get("issued_on"))
        out = DeadlineParseOutput(
            {
                "kind": deadline.kind.value,
                "due_on": deadline.due_on,
                "starts_on": deadline.starts_on,
                "recurrence": deadline.recurrence.value if deadline.recurrence else None,
                "normalized": deadline.normalized,
                "reason": deadline.reason,
            }
        )
        return Response(out.data)
