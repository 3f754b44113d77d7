"""HTTP API route selection: the most specific declared route key wins.

As API Gateway HTTP API does it: literal segments beat `{param}` segments,
which beat a greedy `{proxy+}`; a route for the exact method beats `ANY`;
`$default` catches whatever nothing else matched. Matching is case-sensitive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from local_runtime.model import LocalRoute


@dataclass(frozen=True)
class RouteMatch:
    route: LocalRoute
    path_parameters: dict[str, str]


def match_route(routes: Sequence[LocalRoute], method: str, path: str) -> RouteMatch | None:
    best: tuple[tuple[int, ...], RouteMatch] | None = None
    default: LocalRoute | None = None
    segments = path.split("/")[1:]
    for route in routes:
        if route.route_key == "$default":
            default = route
            continue
        if route.method not in (method, "ANY") or route.path is None:
            continue
        matched = _match_path(route.path.split("/")[1:], segments)
        if matched is None:
            continue
        specificity, parameters = matched
        score = (*specificity, 1 if route.method == method else 0)
        if best is None or score > best[0]:
            best = (score, RouteMatch(route, parameters))
    if best is not None:
        return best[1]
    return RouteMatch(default, {}) if default is not None else None


def _match_path(
    pattern: list[str], segments: list[str]
) -> tuple[tuple[int, ...], dict[str, str]] | None:
    """Each pattern segment scores 3 when literal, 2 for a `{param}`, 1 for
    `{proxy+}`; the scores compare left to right, as the gateway prefers the
    route that stays literal the longest."""
    parameters: dict[str, str] = {}
    scores: list[int] = []
    for index, part in enumerate(pattern):
        if part.startswith("{") and part.endswith("+}"):
            rest = segments[index:]
            if index != len(pattern) - 1 or not rest or rest == [""]:
                return None
            parameters[part[1:-2]] = unquote("/".join(rest))
            scores.append(1)
            return tuple(scores), parameters
        if index >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            if not segments[index]:
                return None
            parameters[part[1:-1]] = unquote(segments[index])
            scores.append(2)
        elif part == segments[index]:
            scores.append(3)
        else:
            return None
    if len(segments) != len(pattern):
        return None
    return tuple(scores), parameters
