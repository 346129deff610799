"""API tokens: obtain one with a username and password, list yours, revoke them."""

from django.contrib.auth import authenticate
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import limits
from .models import ApiToken
from .tokens import TokenError, issue_token, may_revoke, revoke_token, tokens_visible_to


class AccountError(serializers.Serializer):
    """The ``{"detail", "code"}`` answer of every API error."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


def error(description) -> OpenApiResponse:
    return OpenApiResponse(AccountError, description=description)


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=_l("Pour vous y retrouver.")
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError({n: [_("Champ inconnu.")] for n in unknown})
        return super().to_internal_value(data)


class TokenOutput(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username")
    active = serializers.BooleanField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
        fields += ["active"]


class NewToken(TokenOutput):
    token = serializers.CharField(help_text=_l("La clé, montrée cette fois seulement."))

    class Meta(TokenOutput.Meta):
        fields = [*TokenOutput.Meta.fields, "token"]


class TokenView(APIView):
    """``POST /api/auth/token/``: a new named token; ``DELETE``: revoke the token that
    authenticates this request."""

    def perform_authentication(self, request):
        # Obtaining a token takes credentials in the body, never a session or a token.
        if request.method != "POST":
            super().perform_authentication(request)

    @extend_schema(
        summary=_l("Obtenir un jeton d'API"),
        description=_l(
            "Un nouveau jeton nommé à chaque appel, à renvoyer en `Authorization: Token "
            "<jeton>`. Seule son empreinte est gardée : la clé n'est montrée qu'ici. Trop "
            "d'échecs pour un compte ou une adresse : 429 avec `Retry-After`."
        ),
        request=TokenInput,
        responses={
            201: NewToken,
            400: error(_l("Identifiants incorrects ou champ invalide.")),
            429: error(_l("Trop d'échecs : réessayez après `Retry-After` secondes.")),
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subjects = limits.sign_in_subjects(request, data["username"])
        wait = limits.retry_after(*subjects)
        if wait:
            raise exceptions.Throttled(wait=wait, detail=_("Trop de tentatives."))
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            limits.record(*subjects)
            raise serializers.ValidationError(
                {"non_field_errors": [_("Identifiant ou mot de passe incorrect.")]}
            )
        limits.clear(subjects[0])
        try:
            token, key = issue_token(user=user, name=data.get("name", ""))
        except TokenError as exc:
            raise serializers.ValidationError({exc.field: [exc.detail]}) from None
        token.token = key
        return Response(NewToken(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_l("Révoquer le jeton de cette requête"),
        responses={
            204: None,
            400: error(_l("Cette requête n'est pas authentifiée par un jeton.")),
            401: error(_l("Non connecté.")),
        },
    )
    def delete(self, request):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not isinstance(request.auth, ApiToken):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Cette requête n'est pas authentifiée par un jeton.")]}
            )
        revoke_token(by=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(APIView):
    """``GET /api/auth/tokens/``: your tokens, revoked ones included; a curator sees
    everyone's (``?user=<id>`` for one person's)."""

    @extend_schema(
        summary=_l("Lister les jetons d'API"),
        parameters=[OpenApiParameter("user", int, required=False)],
        responses={
            200: TokenOutput(many=True),
            400: error(_l("Filtre invalide.")),
            401: error(_l("Non connecté.")),
        },
    )
    def get(self, request):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        tokens = tokens_visible_to(request.user)
        user = request.query_params.get("user")
        if user is not None:
            if not (user.isascii() and user.isdigit() and len(user) < 19):
                raise serializers.ValidationError({"user": [_("Identifiant invalide.")]})
            tokens = tokens.filter(user_id=int(user))
        return Response(TokenOutput(tokens[:1000], many=True).data)


class TokenDetailView(APIView):
    @extend_schema(
        summary=_l("Révoquer un jeton d'API"),
        description=_l("Le vôtre, ou celui de n'importe qui pour un curateur."),
        responses={204: None, 401: error(_l("Non connecté.")), 404: error(_l("Introuvable."))},
    )
    def delete(self, request, pk):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        token = ApiToken.objects.filter(pk=pk).first()
        if token is None or not may_revoke(request.user, token):
            raise Http404
        revoke_token(by=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
