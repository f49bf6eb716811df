"""Every page address under a prefix, found in the URL resolver (whatever app includes it), for the portal's
tenancy sweep and the console's access sweep: a new page is swept without anyone listing it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass(frozen=True)
class Route:
    name: str  # qualified: "disputes_portal:detail"
    route: str  # "portal/disputes/<int:dispute_id>/"
    params: frozenset[str]
    view: Any

    def urls(self, values: Mapping[str, Any]) -> list[str]:
        """The route's addresses with each parameter from `values` (a list gives one address per item)."""
        choices: list[dict[str, Any]] = [{}]
        for param in sorted(self.params):
            value = values[param]
            options = value if isinstance(value, list) else [value]
            choices = [{**c, param: option} for c in choices for option in options]
        return [reverse(self.name, kwargs=kwargs) for kwargs in choices]


def _walk(patterns: list[Any], prefix: str, namespace: str, params: frozenset[str]) -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        found = params | frozenset(entry.pattern.converters)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner, found)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield Route(name, route, found, entry.callback)


def routes_under(prefix: str) -> list[Route]:
    """Every route whose address starts with `prefix` ("portal/", "console/")."""
    return [r for r in _walk(get_resolver().url_patterns, "", "", frozenset()) if r.route.startswith(prefix)]


def missing_values(routes: list[Route], values: Mapping[str, Any]) -> list[str]:
    """The routes with a parameter the sweep has no value for, or without a name to reverse."""
    return [f"{r.name or '(unnamed)'} {r.route}" for r in routes if not r.name or r.params - set(values)]
