"""Who acts for which unit, and which documents they review: the one access rule.

Everything that depends on who asks (selectors, rules predicates, services, notification
recipients, indicator pages, the API) reads it from here and nowhere else.

The rule, in three parts:

1. **Memberships.** A user acts for the units where they are an officer or leader (and holds
   any other role, secretariat or unit administrator, for the units named in that role).
2. **Successions** (``UnitSuccession``). From a succession's date the successor acts for the
   predecessor's work, transitively (Bộ Kế hoạch và Đầu tư → Bộ Tài chính; Ban cán sự đảng
   UBND tỉnh Bắc Kạn → Đảng ủy UBND tỉnh Bắc Kạn → Đảng ủy UBND tỉnh Thái Nguyên). Only a
   predecessor with a single successor passes its work on wholesale; after a split or an
   abolition a person hands each open track to its new unit (``TaskTrack.handed_to``), and the
   successor acts only for the tracks handed to it. Memberships in a unit that has ended keep
   acting for it (the people have not been moved yet; an administrator moves them).
3. **Delegations** (``Delegation``, ủy quyền). From its first to its last day (inclusive),
   unless revoked, a leader's delegation lets the deputy lead the unit (and what the unit
   answers for): ``Access.leads`` is true and ``Access.delegated_by`` names the delegating
   leader, whom every decision taken under it records. It holds only while the delegating
   leader still leads the unit and the deputy is still a member of it.
4. **Reviewing.** A reviewer reviews the documents their body (or a body it succeeds)
   monitors; a body that reviews all (Ban Kinh tế Trung ương, and so from 24/01/2025 Ban Chính
   sách, chiến lược Trung ương) reviews every document. Superusers see everything.

The pure part (``Successions``, ``compute_access``) takes the day as an argument and is table
tested; ``access_for`` loads one user's rows (three small queries, once per request) and
``Directory`` loads everybody's for the reminder scan, both through ``compute_access``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import (
    CharField,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from accounts.choices import Role

if TYPE_CHECKING:
    from accounts.models import User
    from tasks.models import ProgressReport, Task, TaskTrack

ACTING_ROLES = (Role.OFFICER, Role.LEADER)
_MAX_CHAIN = 12  # successions are a short chain; this only guards against a cycle


# --------------------------------------------------------------------------- pure: the graph


@dataclass(frozen=True)
class Edge:
    """One succession record: ``successor`` None ends the predecessor with no heir."""

    predecessor: int
    successor: int | None
    effective_on: dt.date


class Successions:
    """The succession records as a graph, asked about one day at a time."""

    def __init__(self, edges: Iterable[Edge]) -> None:
        self._out: dict[int, list[Edge]] = defaultdict(list)
        self._in: dict[int, list[Edge]] = defaultdict(list)
        for edge in edges:
            self._out[edge.predecessor].append(edge)
            if edge.successor is not None:
                self._in[edge.successor].append(edge)

    def __bool__(self) -> bool:
        return bool(self._out)

    def predecessors(self) -> frozenset[int]:
        """Every unit that has a succession record (ended or to end)."""
        return frozenset(self._out)

    def ended_on(self, unit_id: int) -> dt.date | None:
        """The day the unit stopped answering for its own work (its first succession)."""
        edges = self._out.get(unit_id)
        return min(e.effective_on for e in edges) if edges else None

    def has_ended(self, unit_id: int, day: dt.date) -> bool:
        ended = self.ended_on(unit_id)
        return ended is not None and ended <= day

    def successors(self, unit_id: int, day: dt.date) -> list[int]:
        """Direct successors in effect on ``day`` (none before the date)."""
        return [
            e.successor
            for e in self._out.get(unit_id, ())
            if e.successor is not None and e.effective_on <= day
        ]

    def sole_successor(self, unit_id: int, day: dt.date) -> int | None:
        """The unit that takes all of ``unit_id``'s work on ``day``: its one successor, if it
        has ended with exactly one and no abolition record; otherwise None."""
        if not self.has_ended(unit_id, day):
            return None
        edges = [e for e in self._out[unit_id] if e.effective_on <= day]
        heirs = {e.successor for e in edges}
        if len(heirs) == 1 and None not in heirs:
            return edges[0].successor
        return None

    def answering(self, unit_id: int, day: dt.date) -> list[int]:
        """``unit_id`` and every unit that answers for it wholesale on ``day``: the chain of
        sole successors. The inverse of ``inherited``: M is here iff ``unit_id`` is in
        ``inherited({M})``."""
        chain = [unit_id]
        current = unit_id
        for _ in range(_MAX_CHAIN):
            nxt = self.sole_successor(current, day)
            if nxt is None or nxt in chain:
                break
            chain.append(nxt)
            current = nxt
        return chain

    def current(self, unit_id: int, day: dt.date) -> int | None:
        """The unit answering for ``unit_id`` today: itself if it has not ended, the end of
        its chain of sole successors, or None when the chain ends in a split or an abolition
        (a person must hand each open track on)."""
        last = self.answering(unit_id, day)[-1]
        return None if self.has_ended(last, day) else last

    def inherited(self, unit_ids: Iterable[int], day: dt.date) -> frozenset[int]:
        """``unit_ids`` and every unit whose work passes wholly to one of them by ``day``."""
        out = set(unit_ids)
        frontier = list(out)
        while frontier:
            unit_id = frontier.pop()
            for edge in self._in.get(unit_id, ()):
                pred = edge.predecessor
                if pred not in out and self.sole_successor(pred, day) == unit_id:
                    out.add(pred)
                    frontier.append(pred)
        return frozenset(out)


# --------------------------------------------------------------------------- pure: access


@dataclass(frozen=True)
class Grant:
    """One delegation as the access rule reads it: ``from_user_id``'s leading of ``unit_id``
    passes to the deputy from ``starts_on`` to ``ends_on``, both days included."""

    unit_id: int
    from_user_id: int
    starts_on: dt.date
    ends_on: dt.date

    def in_force(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


def track_unit(track: TaskTrack) -> int:
    """The unit that answers for a track: the one it was handed to after a split or an
    abolition, else the unit assigned (whose successors act for it through ``inherited``)."""
    return track.handed_to_id or track.unit_id


@dataclass(frozen=True)
class Access:
    """What one user may act for on one day. Built by ``compute_access`` only."""

    user_id: int | None
    day: dt.date
    is_superuser: bool = False
    roles: Mapping[str, frozenset[int]] = field(default_factory=dict)
    groups: frozenset[int] = frozenset()  # collective assignees that hold an acting unit
    reviews_all: bool = False
    monitored_documents: frozenset[int] = frozenset()
    # Units led only through a delegation -> the delegating leader's user id.
    delegations: Mapping[int, int] = field(default_factory=dict)

    # -- units

    def units(self, *roles: str) -> frozenset[int]:
        """Unit ids the user holds any of ``roles`` for (successions included)."""
        out: set[int] = set()
        for role in roles:
            out |= self.roles.get(role, frozenset())
        return frozenset(out)

    @property
    def acting(self) -> frozenset[int]:
        """Units the user acts for as officer or leader."""
        return self.units(*ACTING_ROLES)

    @property
    def leading(self) -> frozenset[int]:
        return self.units(Role.LEADER)

    @property
    def reviewing(self) -> frozenset[int]:
        return self.units(Role.REVIEWER)

    def has_role(self, unit_id: int | None, *roles: str) -> bool:
        return unit_id is not None and unit_id in self.units(*roles)

    def acts_for(self, unit_id: int | None) -> bool:
        return self.has_role(unit_id, *ACTING_ROLES)

    def leads(self, unit_id: int | None) -> bool:
        return self.has_role(unit_id, Role.LEADER)

    def delegated_by(self, unit_id: int | None) -> int | None:
        """The user id of the leader whose delegation lets this user lead ``unit_id`` today;
        None when they lead it in their own name (or do not lead it)."""
        return self.delegations.get(unit_id) if unit_id is not None else None

    # -- tracks: the unit that answers for a track is the one it was handed to, if any

    def acts_for_track(self, track: TaskTrack) -> bool:
        return self.acts_for(track_unit(track))

    def leads_track(self, track: TaskTrack) -> bool:
        return self.leads(track_unit(track))

    # -- reviewing

    @property
    def is_reviewer(self) -> bool:
        return self.is_superuser or bool(self.reviewing)

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or self.reviews_all

    def reviews_document(self, document_id: int | None) -> bool:
        """A reviewer of this document: its monitoring body (or that body's successor), a
        body that reviews all, or an administrator."""
        return self.sees_everything or (
            document_id is not None and document_id in self.monitored_documents
        )

    # -- deadline extensions: the body that assigned a task (its document's issuer) or a
    #    reviewer of the document decides them; ONE rule for the permission, the queue,
    #    the header badge and the tasks an issuer sees

    def decides_extensions(self, document_id: int | None, issuer_id: int | None) -> bool:
        """Decides deadline extensions of the tasks of this document: leads (or deputises
        for) the unit that issued it, or reviews it."""
        return self.leads(issuer_id) or self.reviews_document(document_id)

    @property
    def decides_some_extensions(self) -> bool:
        """Could decide an extension of some document (the queue's cheap first check)."""
        return bool(self.leading) or self.is_reviewer or self.sees_everything

    def extension_documents(self, prefix: str = "") -> Q | None:
        """``decides_extensions`` as a condition on documents (``prefix``: the path to the
        document, e.g. ``"task__document__"``); None when it holds for every document."""
        if self.sees_everything:
            return None
        return Q(**{f"{prefix}issuer_id__in": sorted(self.leading)}) | Q(
            **{f"{prefix}id__in": sorted(self.monitored_documents)}
        )

    @property
    def key(self) -> str:
        """A cache key for anything derived from this access (filter options, scopes)."""
        parts = [
            f"s{int(self.is_superuser)}r{int(self.reviews_all)}",
            *(
                f"{role}:{','.join(map(str, sorted(ids)))}"
                for role, ids in sorted(self.roles.items())
            ),
            "d:" + ",".join(map(str, sorted(self.monitored_documents))),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def compute_access(
    *,
    user_id: int | None,
    day: dt.date,
    memberships: Iterable[tuple[int, str]],
    successions: Successions,
    reviews_all_units: Iterable[int] = (),
    groups_of: Mapping[int, Iterable[int]] | None = None,
    monitors: Mapping[int, Iterable[int]] | None = None,
    is_superuser: bool = False,
    delegations: Iterable[Grant] = (),
) -> Access:
    """The access of one user on ``day`` from their (unit, role) memberships.

    ``groups_of`` maps a unit to the collective assignees it is a member of; ``monitors``
    maps a unit to the documents it monitors. Both may hold more units than needed.
    ``delegations`` are the grants the user received (the loaders pass those whose leader
    still leads the unit and whose deputy is still a member); those in force on ``day`` add
    the unit, and what it answers for, to the units the user leads.
    """
    direct: dict[str, set[int]] = defaultdict(set)
    for unit_id, role in memberships:
        direct[role].add(unit_id)
    roles = {role: successions.inherited(ids, day) for role, ids in direct.items()}
    own_leading = roles.get(Role.LEADER, frozenset())
    delegated: dict[int, int] = {}
    for grant in sorted(delegations, key=lambda g: (g.starts_on, g.unit_id, g.from_user_id)):
        if grant.in_force(day):
            for unit_id in sorted(successions.inherited({grant.unit_id}, day)):
                if unit_id not in own_leading:
                    delegated.setdefault(unit_id, grant.from_user_id)
    if delegated:
        roles[Role.LEADER] = own_leading | frozenset(delegated)
    acting = set().union(*(roles.get(r, frozenset()) for r in ACTING_ROLES))
    groups: set[int] = set()
    for unit_id in acting:
        groups.update((groups_of or {}).get(unit_id, ()))
    reviewing = roles.get(Role.REVIEWER, frozenset())
    reviews_all = bool(reviewing & set(reviews_all_units))
    documents: set[int] = set()
    if not reviews_all:
        for unit_id in reviewing:
            documents.update((monitors or {}).get(unit_id, ()))
    return Access(
        user_id=user_id,
        day=day,
        is_superuser=is_superuser,
        roles=roles,
        groups=frozenset(groups - acting),
        reviews_all=reviews_all,
        monitored_documents=frozenset(documents),
        delegations=delegated,
    )


# --------------------------------------------------------------------------- loading


def _grants_in_force(day: dt.date) -> QuerySet[Any]:
    """Delegations not revoked and in force on ``day``: only while the delegating leader,
    active, still leads the unit and the deputy is still a member of it."""
    from accounts.models import Delegation, Membership

    return Delegation.objects.filter(
        Exists(
            Membership.objects.filter(
                user=OuterRef("from_user"), unit=OuterRef("unit"), role=Role.LEADER
            )
        ),
        Exists(Membership.objects.filter(user=OuterRef("to_user"), unit=OuterRef("unit"))),
        revoked_at__isnull=True,
        starts_on__lte=day,
        ends_on__gte=day,
        from_user__is_active=True,
    )


def load_grants(day: dt.date) -> dict[int, list[Grant]]:
    """Everybody's delegations in force on ``day``, by deputy. One query."""
    grants: dict[int, list[Grant]] = defaultdict(list)
    for to_user, unit, from_user, starts_on, ends_on in _grants_in_force(day).values_list(
        "to_user_id", "unit_id", "from_user_id", "starts_on", "ends_on"
    ):
        grants[to_user].append(Grant(unit, from_user, starts_on, ends_on))
    return grants


_DELEGATED = "~delegated"  # a row of the delegations read with the memberships


def _memberships_and_grants(user: Any, day: dt.date) -> tuple[list[tuple[int, str]], list[Grant]]:
    """The user's (unit, role) memberships and the delegations they received in force on
    ``day``, in one query (a UNION): a delegation costs a request no extra query."""
    from accounts.models import Membership

    no_date = Value(None, output_field=DateField())
    memberships = (
        Membership.objects.filter(user=user)
        .order_by()
        .values_list("unit_id", "role", Value(0, output_field=IntegerField()), no_date, no_date)
    )
    grants = (
        _grants_in_force(day)
        .filter(to_user=user)
        .order_by()  # no ORDER BY inside a UNION (SQLite refuses it)
        .values_list(
            "unit_id",
            Value(_DELEGATED, output_field=CharField()),
            "from_user_id",
            "starts_on",
            "ends_on",
        )
    )
    rows: list[tuple[int, str]] = []
    received: list[Grant] = []
    for unit_id, role, from_user, starts_on, ends_on in memberships.union(grants, all=True):
        if role == _DELEGATED:
            received.append(Grant(unit_id, from_user, starts_on, ends_on))
        else:
            rows.append((unit_id, role))
    return rows, received


def load_successions() -> Successions:
    from accounts.models import UnitSuccession

    return Successions(
        Edge(p, s, d)
        for p, s, d in UnitSuccession.objects.values_list(
            "predecessor_id", "successor_id", "effective_on"
        )
    )


_NOBODY = Access(user_id=None, day=dt.date.min)


def access_for(user: Any, *, today: dt.date | None = None) -> Access:
    """The access of ``user`` today (Asia/Ho_Chi_Minh), or on ``today``; kept on the user
    object, so one request asks the database once (three small queries)."""
    day = today or timezone.localdate()
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return _NOBODY
    cache: dict[dt.date, Access] = user.__dict__.setdefault("_access_cache", {})
    if day in cache:
        return cache[day]
    from accounts.models import Unit
    from documents.models import Document

    rows, grants = _memberships_and_grants(user, day)
    successions = load_successions() if rows else Successions(())
    user.__dict__["_successions"] = successions  # for provinces_of in the same request
    direct_units = {u for u, _ in rows} | {g.unit_id for g in grants}
    units = successions.inherited(direct_units, day) if rows else frozenset()
    reviews_all = (
        set(Unit.objects.filter(pk__in=units, reviews_all=True).values_list("pk", flat=True))
        if any(r == Role.REVIEWER for _, r in rows)
        else set()
    )
    groups: dict[int, set[int]] = defaultdict(set)
    if any(r in ACTING_ROLES for _, r in rows):
        for group_id, member_id in Unit.members.through.objects.filter(
            to_unit_id__in=units
        ).values_list("from_unit_id", "to_unit_id"):
            groups[member_id].add(group_id)
    monitors: dict[int, set[int]] = defaultdict(set)
    if any(r == Role.REVIEWER for _, r in rows) and not reviews_all:
        for document_id, unit_id in Document.monitors.through.objects.filter(
            unit_id__in=units
        ).values_list("document_id", "unit_id"):
            monitors[unit_id].add(document_id)
    access = compute_access(
        user_id=user.pk,
        day=day,
        memberships=rows,
        successions=successions,
        reviews_all_units=reviews_all,
        groups_of=groups,
        monitors=monitors,
        is_superuser=user.is_superuser,
        delegations=grants,
    )
    cache[day] = access
    return access


def units_answered_by(unit_ids: Iterable[int], day: dt.date | None = None) -> frozenset[int]:
    """``unit_ids`` and the units whose work they answer for on ``day`` (a filter "led by Bộ
    Tài chính" also finds what Bộ Kế hoạch và Đầu tư led). One query."""
    return load_successions().inherited(unit_ids, day or timezone.localdate())


def forget_access(user: Any) -> None:
    """Drop the access kept on ``user`` (after its memberships changed in the same request)."""
    user.__dict__.pop("_access_cache", None)
    user.__dict__.pop("_scope_delegations", None)


class Directory:
    """Everybody's access on one day, loaded in a fixed number of queries: who acts for a
    unit, who reviews a document (the reminder scan's recipients). The same
    ``compute_access`` as ``access_for``, so a reminder reaches exactly the people who see
    the task."""

    def __init__(self, day: dt.date) -> None:
        from accounts.models import Membership, Unit
        from documents.models import Document

        self.day = day
        self.successions = load_successions()
        memberships: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self.users: dict[int, User] = {}
        for membership in (
            Membership.objects.filter(user__is_active=True)
            .select_related("user")
            .order_by("user__username", "pk")
        ):
            memberships[membership.user_id].append((membership.unit_id, membership.role))
            self.users[membership.user_id] = membership.user
        reviews_all = set(Unit.objects.filter(reviews_all=True).values_list("pk", flat=True))
        monitors: dict[int, set[int]] = defaultdict(set)
        for document_id, unit_id in Document.monitors.through.objects.values_list(
            "document_id", "unit_id"
        ):
            monitors[unit_id].add(document_id)
        grants = load_grants(day)
        self.access: dict[int, Access] = {}
        self._by_unit: dict[tuple[int, str], list[User]] = defaultdict(list)
        for user_id, rows in memberships.items():
            user = self.users[user_id]
            access = compute_access(
                user_id=user_id,
                day=day,
                memberships=rows,
                successions=self.successions,
                reviews_all_units=reviews_all,
                monitors=monitors,
                is_superuser=user.is_superuser,
                delegations=grants.get(user_id, ()),
            )
            self.access[user_id] = access
            for role, unit_ids in access.roles.items():
                for unit_id in unit_ids:
                    self._by_unit[(unit_id, role)].append(user)

    def people(self, unit_id: int, role: str) -> list[User]:
        """Active users who hold ``role`` for ``unit_id`` today (successors' people too)."""
        return list(self._by_unit.get((unit_id, role), ()))

    def reviewed_documents(self, user_id: int) -> frozenset[int] | None:
        """Document ids a reviewer reviews; None means every document."""
        access = self.access.get(user_id)
        if access is None:
            return frozenset()
        if access.sees_everything:
            return None
        return access.monitored_documents


# --------------------------------------------------------------------------- querysets


def visible_tasks(user: Any) -> QuerySet[Task]:
    """Tasks ``user`` may see.

    Officers and leaders see the tasks their units lead or coordinate (directly, as a member
    of a collective assignee, or as the unit a track was handed to), the sub-tasks and
    parents of those, and the higher-level tasks they implement. Reviewers see every task of
    the documents they review, and the leaders of a unit the tasks its documents assign.
    Anything else does not exist for the user (a 404, never a
    403). Each way of seeing a task is a correlated EXISTS on the assignment indexes, so
    PostgreSQL probes them for the rows the other filters leave or hashes them for a list.
    """
    from tasks.models import Task, TaskAssignment, TaskTrack

    access = access_for(user)
    if access.user_id is None:
        return Task.objects.none()
    if access.sees_everything:
        return Task.objects.all()
    condition = Q(pk__in=[])
    acting = access.acting
    if acting:
        theirs = TaskAssignment.objects.filter(unit_id__in=sorted(acting | access.groups))
        handed = TaskTrack.objects.filter(handed_to_id__in=sorted(acting))
        condition = (
            Q(Exists(theirs.filter(task=OuterRef("pk"))))
            | Q(Exists(theirs.filter(task=OuterRef("parent_id"))))  # a sub-task of theirs
            | Q(Exists(theirs.filter(task__parent=OuterRef("pk"))))  # the parent of theirs
            | Q(Exists(theirs.filter(task__implements=OuterRef("pk"))))  # what theirs serve
            | Q(Exists(handed.filter(task=OuterRef("pk"))))  # handed on after a split
        )
    if access.monitored_documents:
        condition |= Q(document_id__in=sorted(access.monitored_documents))
    if access.leading:
        # The body that assigned a task (its document's issuer) decides on extensions of it:
        # its leaders, and a deputy they delegated to, see what it assigned.
        condition |= Q(document__issuer_id__in=sorted(access.leading))
    return Task.objects.filter(condition)


def sees_all_led_by(user: Any, unit_id: int) -> bool:
    """Whether ``user`` sees every task ``unit_id`` leads or answers for (a list filtered by
    the caller's own unit needs no visibility condition on top of the filter): a unit the
    user acts for (``acting`` holds the units it answers for too: ``inherited`` is closed
    under succession), or the user sees everything."""
    access = access_for(user)
    if access.user_id is None:
        return False
    return access.sees_everything or unit_id in access.acting


def assigned_tasks(user: Any, role: str | None = None) -> QuerySet[Task]:
    """ "Việc của tôi": tasks the user's units lead or coordinate, directly, as a member of a
    collective assignee, or through a track handed to them. ``role`` narrows to lead
    ("lead") or coordinate ("coordinate")."""
    from tasks.models import Task, TaskAssignment, TaskTrack

    access = access_for(user)
    acting = access.acting
    if not acting:
        return Task.objects.none()
    assignments = TaskAssignment.objects.filter(
        task=OuterRef("pk"), unit_id__in=sorted(acting | access.groups)
    )
    if role:
        assignments = assignments.filter(role=role)
    condition = Q(Exists(assignments))
    if role in (None, "lead"):
        tracks = TaskTrack.objects.filter(tracks_answered_by(acting), task=OuterRef("pk"))
        condition |= Q(Exists(tracks))
    return Task.objects.filter(condition)


def tracks_answered_by(unit_ids: Iterable[int], prefix: str = "") -> Q:
    """The SQL form of ``track_unit``: tracks that ``unit_ids`` answer for (handed to one of
    them, or assigned to one of them and not handed on). ``prefix`` reaches the track from
    another model ("track__" from a report)."""
    ids = sorted(unit_ids)
    return Q(**{f"{prefix}handed_to__isnull": True, f"{prefix}unit_id__in": ids}) | Q(
        **{f"{prefix}handed_to_id__in": ids}
    )


def visible_reports(user: Any) -> QuerySet[ProgressReport]:
    """Reports on visible tasks; a draft only to the officers and leaders of its unit."""
    from tasks.models import ProgressReport

    access = access_for(user)
    reports = ProgressReport.objects.filter(track__task__in=visible_tasks(user).values("pk"))
    if access.is_superuser:
        return reports
    return reports.filter(~Q(state="draft") | tracks_answered_by(access.acting, "track__"))


def provinces_of(user: Any, *roles: str) -> frozenset[int]:
    """The provinces of the units the user holds ``roles`` for (a province unit is its own
    province), and the provinces merged into them: the Lai Châu secretariat's province is
    Lai Châu, Thái Nguyên's people's also Bắc Kạn from 01/07/2025. Two queries, kept on the
    user object for the request."""
    from accounts.choices import UnitKind
    from accounts.models import Unit

    access = access_for(user)
    units = access.units(*roles)
    if not units:
        return frozenset()
    cache: dict[tuple[str, ...], frozenset[int]] = user.__dict__.setdefault("_province_cache", {})
    key = tuple(sorted(roles))
    if key not in cache:
        rows = Unit.objects.filter(pk__in=units).values_list("pk", "province_id", "kind")
        provinces = {
            province or (pk if kind == UnitKind.PROVINCE else None) for pk, province, kind in rows
        }
        found = {p for p in provinces if p is not None}
        successions = user.__dict__.get("_successions") or load_successions()
        cache[key] = successions.inherited(found, access.day) if found else frozenset()
    return cache[key]


def indicator_scopes(user: Any, *roles: str) -> frozenset[int]:
    """Scopes (a unit itself, or the province of a unit) whose indicator values the user
    handles in ``roles``: Lai Châu's values are entered by the units of tỉnh Lai Châu, and
    from 01/07/2025 Bắc Kạn's by Thái Nguyên's (the province succeeds too)."""
    return access_for(user).units(*roles) | provinces_of(user, *roles)


def scope_delegated_by(user: Any, scope_id: int) -> int | None:
    """For an indicator value's scope (a unit, or the province of units): the leader whose
    delegation lets ``user`` lead it, when the user does not lead it in their own name
    (through a unit of theirs that is the scope or lies in its province)."""
    return scope_delegations(user).get(scope_id)


def scope_delegations(user: Any) -> dict[int, int]:
    """Scopes the user leads only through a delegation -> the delegating leader's user id.
    One query, none for a user without delegations; kept on the user for the request."""
    from accounts.models import Unit

    access = access_for(user)
    if not access.delegations:
        return {}
    cache: dict[dt.date, dict[int, int]] = user.__dict__.setdefault("_scope_delegations", {})
    if access.day in cache:
        return cache[access.day]
    successions = user.__dict__.get("_successions") or load_successions()
    own_scopes: set[int] = set()
    delegated_scopes: dict[int, int] = {}
    for pk, province in Unit.objects.filter(pk__in=access.leading).values_list("pk", "province_id"):
        # A unit is a scope itself, and so is its province (a province unit is its own).
        scopes = successions.inherited({pk} | ({province} if province else set()), access.day)
        leader = access.delegated_by(pk)
        if leader is None:
            own_scopes |= scopes
        else:
            for scope in sorted(scopes):
                delegated_scopes.setdefault(scope, leader)
    cache[access.day] = {s: u for s, u in delegated_scopes.items() if s not in own_scopes}
    return cache[access.day]


# --------------------------------------------------------------------------- display


def current_units(
    unit_ids: Iterable[int], day: dt.date | None = None
) -> dict[int, tuple[int | None, str]]:
    """For each unit that has ended by ``day``: the unit answering for it now and its name,
    or (None, "") when nobody does yet (split or abolished: a person must pick). Units still
    in being are left out. Two queries."""
    from accounts.models import Unit

    day = day or timezone.localdate()
    successions = load_successions()
    ids = [u for u in set(unit_ids) if successions.has_ended(u, day)]
    if not ids:
        return {}
    now = {u: successions.current(u, day) for u in ids}
    names = dict(
        Unit.objects.filter(pk__in={c for c in now.values() if c}).values_list("pk", "name")
    )
    return {u: (c, names.get(c, "")) if c else (None, "") for u, c in now.items()}


def current_names(unit_ids: Iterable[int], day: dt.date | None = None) -> dict[int, str]:
    """``current_units`` as names only: what the pages show after an ended unit's name."""
    return {u: name for u, (_, name) in current_units(unit_ids, day).items()}


def in_being(day: dt.date | None = None) -> Q:
    """A ``Unit`` filter: units that have not ended by ``day`` (the SQL form of
    ``Successions.has_ended``), for pickers and filter options that offer today's units."""
    return ~Q(successions__effective_on__lte=day or timezone.localdate())


def hand_over_candidates(unit: Any, day: dt.date | None = None) -> QuerySet[Any]:
    """Units a person may hand an ended unit's open track to: one of its successors after a
    split; after an abolition, the units in being of the same province (or, for a central
    unit, every central unit in being). Groups are never candidates."""
    from accounts.choices import UnitKind
    from accounts.models import Unit

    day = day or timezone.localdate()
    successions = load_successions()
    heirs = successions.successors(unit.pk, day)
    units = Unit.objects.filter(in_being(day)).exclude(kind=UnitKind.GROUP).exclude(pk=unit.pk)
    if heirs:
        return units.filter(pk__in=heirs).order_by("name_key")
    province_id = unit.province_id
    if province_id:
        province = successions.current(province_id, day) or province_id
        return units.filter(province_id=province).order_by("name_key")
    return units.filter(province__isnull=True).order_by("name_key")


def reviewing_bodies(day: dt.date | None = None) -> list[str]:
    """Names of the bodies that review every document on ``day``: a unit marked "reviews
    all" or the unit answering for it now (Ban Chính sách, chiến lược Trung ương for Ban
    Kinh tế Trung ương from 24/01/2025)."""
    from accounts.models import Unit

    day = day or timezone.localdate()
    successions = load_successions()
    ids = {
        successions.current(pk, day) or pk
        for pk in Unit.objects.filter(reviews_all=True).values_list("pk", flat=True)
    }
    return list(Unit.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True))


def units_without_successor(day: dt.date | None = None) -> frozenset[int]:
    """Units that have ended by ``day`` with nobody answering for their work wholesale
    (split or abolished): their open tracks wait for a person to hand them on."""
    day = day or timezone.localdate()
    successions = load_successions()
    return frozenset(
        u
        for u in successions.predecessors()
        if successions.has_ended(u, day) and successions.current(u, day) is None
    )
