"""The SQL of outlet groups: which group each article is in, and the outlet-group filter's clause.

A grouping is a Grouping of data/outlets.toml (monitor/read/outlet_groups.py: outlets by name) or the name of a
record label field (the store's `article_labels`: an article may carry several values, and is then in each
group). Outlets and articles a grouping does not place are in the group "ungrouped", never dropped.
"""
from __future__ import annotations

from monitor.read.outlet_groups import UNGROUPED, Grouping, OutletGroup, outlet_key
from monitor.store import Store

GroupingChoice = Grouping | str  # a file's grouping, or a label field's name


def store_outlets(store: Store, keys: tuple[str, ...]) -> list[str]:
    """Return the outlet names as the store has them whose outlet_key is among `keys`."""
    wanted = set(keys)
    names = store.query("SELECT DISTINCT source FROM articles WHERE source IS NOT NULL")["source"]
    return sorted(str(name) for name in names if outlet_key(str(name)) in wanted)


def outlet_clause(store: Store, group: OutletGroup, alias: str) -> tuple[str, list]:
    """Return the WHERE clause (and its parameters) keeping the rows of table `alias` in the outlet group."""
    if group.kind == "label":
        inner = "SELECT article_id FROM article_labels WHERE field = ?"
        if group.exclude:
            return f"{alias}.article_id NOT IN ({inner})", [group.grouping]
        # the value in any case: a link typed by hand (group=political_bias:left) finds "Left"
        return f"{alias}.article_id IN ({inner} AND lower(value) = lower(?))", [group.grouping, group.group]
    names = store_outlets(store, group.outlets)
    if not names:
        return ("TRUE" if group.exclude else "FALSE"), []
    clause = f"{alias}.source {'NOT ' * group.exclude}IN ({', '.join('?' * len(names))})"
    return clause, names


def group_column(store: Store, grouping: GroupingChoice, alias: str) -> tuple[str, str, list]:
    """Return (join, expression, parameters): the JOIN to add after table `alias` and the SQL expression of
    its rows' group under `grouping` ("ungrouped" for the rows it does not place). The parameters are the
    join's, then the expression's."""
    if isinstance(grouping, str):
        join = (f"LEFT JOIN (SELECT DISTINCT article_id, value AS grp FROM article_labels WHERE field = ?) lab "
                f"ON lab.article_id = {alias}.article_id")
        return join, f"coalesce(lab.grp, '{UNGROUPED}')", [grouping]
    cases: list[str] = []
    params: list = []
    for group in grouping.group_names():
        names = store_outlets(store, grouping.members(group))
        if names:
            cases.append(f"WHEN {alias}.source IN ({', '.join('?' * len(names))}) THEN ?")
            params += [*names, group]
    if not cases:
        return "", f"'{UNGROUPED}'", []
    return "", f"CASE {' '.join(cases)} ELSE '{UNGROUPED}' END", params


def group_filter(grouping: GroupingChoice, group: str) -> OutletGroup:
    """Return the outlet-group filter for `group` of `grouping` ("ungrouped": what the grouping does not place)."""
    if isinstance(grouping, str):
        return OutletGroup(grouping, group, "label", exclude=group == UNGROUPED)
    if group == UNGROUPED:
        return OutletGroup(grouping.name, group, "file", tuple(sorted(set(grouping.all_members()))), exclude=True)
    return OutletGroup(grouping.name, group, "file", tuple(sorted(set(grouping.members(group)))))
