"""Every write on endpoints and deliveries: register, change, rotate, delete, send again,
and the fan-out of project events into deliveries.

Permissions are checked before any input is read, addresses are checked (DNS included)
before the transaction opens, and a refusal writes nothing.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from network.addresses import Refused, check_url
from projects import access as project_access
from projects.errors import Conflict, Invalid, NotFound
from projects.events import TYPES
from projects.models import Project, ProjectEvent

from . import access
from .models import Delivery, Endpoint, Lane
from .reasons import reason
from .signatures import new_message_id, new_secret
from .tasks import deliver, send_again_now

EVENT_TYPES = TYPES
URL_MAX_LENGTH = Endpoint._meta.get_field("url").max_length
DESCRIPTION_MAX_LENGTH = Endpoint._meta.get_field("description").max_length


def check_address(url) -> str:
    """``url`` as it will be stored, or Invalid naming why it may not receive deliveries:
    the same rules as the repository scanner (https, public addresses only)."""
    if not isinstance(url, str) or not url.strip():
        raise Invalid({"url": [_("Une adresse https:// est attendue.")]})
    url = url.strip()
    if len(url) > URL_MAX_LENGTH:
        raise Invalid({"url": [_("%(count)d caractères au plus.") % {"count": URL_MAX_LENGTH}]})
    try:
        check_url(url, allow_local_http=settings.WEBHOOKS_ALLOW_LOCAL)
    except Refused as refused:
        raise Invalid({"url": [reason(refused.code)]}, code=refused.code) from None
    return url


def check_event_types(value) -> list[str]:
    """A non-empty list of the stream's event types, without repeats, in the stream's order."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise Invalid(
            {"event_types": [_("Une liste non vide de types d'événements est attendue.")]}
        )
    unknown = sorted({v for v in value if v not in EVENT_TYPES})
    if unknown:
        raise Invalid(
            {
                "event_types": [
                    _("Type d'événement inconnu : %(type)s.") % {"type": name} for name in unknown
                ]
            },
            code="unknown_event_type",
        )
    return [name for name in EVENT_TYPES if name in value]


def check_description(value) -> str:
    if not isinstance(value, str) or len(value) > DESCRIPTION_MAX_LENGTH:
        raise Invalid(
            {
                "description": [
                    _("Un texte de %(count)d caractères au plus.")
                    % {"count": DESCRIPTION_MAX_LENGTH}
                ]
            }
        )
    return value.strip()


def register_endpoint(
    *, by, url, event_types, project_id=None, description=""
) -> tuple[Endpoint, str]:
    """A new active endpoint owned by ``by`` for ``project_id`` (None: the whole portfolio,
    curators only). Returns it with its secret, which is shown this once."""
    project_access.require(project_access.is_signed_in(by), by)
    project = None
    if project_id is not None:
        project = project_access.access_project(by, project_id)
    project_access.require(access.may_register(by, project), by)
    url = check_address(url)
    event_types = check_event_types(event_types)
    description = check_description(description)
    with transaction.atomic():
        if Endpoint.objects.filter(owner=by).count() >= settings.WEBHOOKS_MAX_ENDPOINTS:
            raise Conflict(
                _("Vous avez déjà %(count)d webhooks : supprimez-en un d'abord.")
                % {"count": settings.WEBHOOKS_MAX_ENDPOINTS},
                code="too_many_endpoints",
            )
        secret = new_secret()
        endpoint = Endpoint.objects.create(
            owner=by,
            project=project,
            url=url,
            event_types=event_types,
            description=description,
            secret=secret,
        )
    return endpoint, secret


def update_endpoint(
    *, by, endpoint_id, url=None, event_types=None, description=None, active=None
) -> Endpoint:
    """Change what the endpoint receives or where, or switch it on or off. Switching it on
    again resumes its pending deliveries in order, if its owner may still receive them."""
    endpoint = access.access_endpoint(by, endpoint_id)
    changes = {}
    if url is not None:
        changes["url"] = check_address(url)
    if event_types is not None:
        changes["event_types"] = check_event_types(event_types)
    if description is not None:
        changes["description"] = check_description(description)
    if active is not None and not isinstance(active, bool):
        raise Invalid({"active": [_("Vrai ou faux est attendu.")]})
    with transaction.atomic():
        endpoint = access.access_endpoint(by, endpoint_id, lock=True)
        for name, value in changes.items():
            setattr(endpoint, name, value)
        now = timezone.now()
        if active is True and not endpoint.active:
            owner = type(endpoint.owner).objects.get(pk=endpoint.owner_id)
            endpoint.owner = owner
            if endpoint.project is not None and not access.may_receive(endpoint, endpoint.project):
                raise Conflict(
                    _("Le propriétaire de ce webhook ne peut plus lire le projet."),
                    code="access_lost",
                )
            if endpoint.project is None and not project_access.is_curator(owner):
                raise Conflict(
                    _("Seul un curateur reçoit les événements de tout le portefeuille."),
                    code="access_lost",
                )
            endpoint.status = Endpoint.Status.ACTIVE
            endpoint.disabled_reason = ""
            endpoint.disabled_at = None
            wake_lanes(endpoint)
        elif active is False and endpoint.active:
            endpoint.status = Endpoint.Status.DISABLED
            endpoint.disabled_reason = Endpoint.Reason.BY_PERSON
            endpoint.disabled_at = now
        endpoint.updated_at = now
        endpoint.save()
    return endpoint


def wake_lanes(endpoint: Endpoint) -> None:
    """A delivery task for each lane of ``endpoint`` that has something pending."""
    lanes = (
        Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING)
        .values_list("lane_id", flat=True)
        .distinct()
        .order_by()
    )
    for lane_id in lanes:
        deliver.enqueue(lane_id=lane_id)


@transaction.atomic
def rotate_secret(*, by, endpoint_id) -> tuple[Endpoint, str]:
    """A new secret; the previous one keeps signing beside it for WEBHOOKS_ROTATION_HOURS,
    so the receiver can switch without refusing a message. Returns the new secret, shown
    this once."""
    endpoint = access.access_endpoint(by, endpoint_id, lock=True)
    now = timezone.now()
    secret = new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_until = now + timedelta(hours=settings.WEBHOOKS_ROTATION_HOURS)
    endpoint.secret = secret
    endpoint.updated_at = now
    endpoint.save(update_fields=["secret", "previous_secret", "previous_until", "updated_at"])
    return endpoint, secret


@transaction.atomic
def delete_endpoint(*, by, endpoint_id) -> None:
    """The endpoint and its log; nothing more is sent to it."""
    endpoint = access.access_endpoint(by, endpoint_id, lock=True)
    endpoint.delete()


@transaction.atomic
def send_again(*, by, endpoint_id, delivery_id) -> Delivery:
    """Send one delivery again, by a worker. A pending one is tried now, still in its
    lane's order; a finished one (delivered, failed, withheld) gets one more attempt at once,
    outside the order, with the same ``webhook-id`` (its owner's access is checked again)."""
    endpoint = access.access_endpoint(by, endpoint_id, lock=True)
    pk = project_access.as_pk(delivery_id)
    delivery = Delivery.objects.filter(endpoint=endpoint, pk=pk).first() if pk else None
    if delivery is None:
        raise NotFound()
    if delivery.status == Delivery.Status.PENDING:
        if not endpoint.active:
            raise Conflict(
                _("Réactivez le webhook : ses envois en attente repartiront dans l'ordre."),
                code="endpoint_disabled",
            )
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["next_attempt_at"])
        deliver.enqueue(lane_id=delivery.lane_id)
    else:
        send_again_now.enqueue(delivery_id=delivery.pk)
    return delivery


def fan_out(project: Project, events: list[ProjectEvent]) -> list[Delivery]:
    """The deliveries of freshly recorded ``events`` to every active endpoint that wants
    them (the project's and the portfolio's), and one delivery task per lane, all in the
    events' transaction (``projects.events.record_events`` calls this under the project's
    row lock). Access is checked when they are sent, not here."""
    types = {event.type for event in events}
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(status=Endpoint.Status.ACTIVE)
        .filter(Q(project=project) | Q(project__isnull=True))
        .only("pk", "event_types")
        if types.intersection(endpoint.event_types)
    ]
    if not endpoints:
        return []
    Lane.objects.bulk_create(
        [Lane(endpoint_id=endpoint.pk, project=project) for endpoint in endpoints],
        ignore_conflicts=True,
    )
    lanes = dict(
        Lane.objects.filter(project=project, endpoint__in=endpoints).values_list(
            "endpoint_id", "pk"
        )
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            endpoint_id=endpoint.pk,
            lane_id=lanes[endpoint.pk],
            event=event,
            seq=event.seq,
            type=event.type,
            message_id=new_message_id(),
        )
        for event in events
        for endpoint in endpoints
        if event.type in endpoint.event_types
    )
    for lane_id in sorted({delivery.lane_id for delivery in deliveries}):
        deliver.enqueue(lane_id=lane_id)
    return deliveries


def _interest(project_ref) -> Exists:
    """Whether an active endpoint may want the events of the project ``project_ref``: the
    project's own or the portfolio's (``projects.events.interest``). Where a service read
    it as false, ``fan_out`` is not called and reads nothing."""
    return Exists(
        Endpoint.objects.filter(status=Endpoint.Status.ACTIVE).filter(
            Q(project_id=project_ref) | Q(project__isnull=True)
        )
    )


fan_out.interest = _interest
