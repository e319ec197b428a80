"""Reads of units and users."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from accounts.models import Unit, UnitAlias
from accounts.names import display_name, name_key, split_unit_list
from portal.vietnamese import fold


class UnitResolver:
    """Resolves unit names as printed to units, loading every name and alias once.

    A name in a provincial document is relative to its province ("Ban cán sự đảng UBND
    tỉnh" in Lai Châu's programme is Lai Châu's): if the name alone does not match, the
    province's name is appended and tried again.
    """

    def __init__(self) -> None:
        self.by_key: dict[str, Unit] = {}
        units = {u.pk: u for u in Unit.objects.all()}
        for unit in units.values():
            self.by_key[unit.name_key] = unit
        for alias in UnitAlias.objects.all():
            self.by_key.setdefault(alias.name_key, units[alias.unit_id])
        self.units = units
        # A table names the same few units on every row: each (name, province) is folded
        # and looked up once.
        self._resolved: dict[tuple[str, int | None], Unit | None] = {}

    def resolve(self, name: str, province: Unit | None = None) -> Unit | None:
        memo = (name, province.pk if province is not None else None)
        if memo not in self._resolved:
            self._resolved[memo] = self._resolve(name, province)
        return self._resolved[memo]

    def _resolve(self, name: str, province: Unit | None) -> Unit | None:
        key = name_key(name)
        if not key:
            return None
        if province is not None:
            # A relative name is the province's own unit: try that reading first, so
            # "Ban cán sự đảng UBND tỉnh" never lands on another province's unit.
            place = fold(province.name).removeprefix("tinh ").removeprefix("thanh pho ")
            for candidate in (f"{key} {place}", f"{key} tinh {place}"):
                if candidate in self.by_key:
                    return self.by_key[candidate]
        return self.by_key.get(key)

    def resolve_list(self, cell: str, province: Unit | None = None) -> ResolvedList:
        """Resolve a cell listing one or more units separated by commas.

        Commas also occur inside one unit's name ("Các bộ, ngành và địa phương ..."), so at
        each piece the longest run of pieces that names a unit wins.
        """
        whole = display_name(cell)
        result = ResolvedList()
        if not whole or whole in {"-", "—"}:
            return result
        unit = self.resolve(whole, province)
        if unit is not None:
            result.units.append((unit, whole))
            return result
        pieces = split_unit_list(whole)
        i = 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                printed = ", ".join(pieces[i:j])
                unit = self.resolve(printed, province)
                if unit is not None:
                    result.units.append((unit, printed))
                    i = j
                    break
            else:
                result.unresolved.append(pieces[i])
                i += 1
        return result


@dataclass
class ResolvedList:
    units: list[tuple[Unit, str]] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


def group_members() -> dict[int, list[Unit]]:
    """Direct members of every group, in one query."""
    members: dict[int, list[Unit]] = defaultdict(list)
    through = Unit.members.through
    for row in through.objects.select_related("to_unit"):
        members[row.from_unit_id].append(row.to_unit)
    return dict(members)


def unit_suggestions(province: Unit | None) -> list[str]:
    """Names a unit field suggests as the clerk types: current units (those of ``province``
    first) and their other names, without duplicates."""
    from accounts.access import in_being

    current = Unit.objects.filter(in_being())
    mine = current.filter(province=province) if province else current.none()
    aliases = UnitAlias.objects.filter(unit__in=current.values("pk"))
    names = [
        *mine.values_list("name", flat=True),
        *current.values_list("name", flat=True),
        *aliases.values_list("name", flat=True),
    ]
    return list(dict.fromkeys(names))
