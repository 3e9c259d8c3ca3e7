"""The estate as a graph: which manifest names which by key (see kinds.refs).

`check` reports, at the line of the reference, every key that names no manifest of
its kind and every cycle (`a -> b -> a`), plus each kind's own rules (a roster's
depth limit). `order` lists every manifest after the ones it references: apply runs
dependencies first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from agentform.errors import ManifestError
from agentform.kinds import BY_NAME, KINDS, REFERABLE, rank
from agentform.kinds.refs import Ref, Target, find
from agentform.manifests.estate import Manifest

Manifests = Mapping[str, Mapping[str, Manifest]]


def references(manifest: Manifest) -> list[Ref]:
    return list(find(manifest.spec, REFERABLE))


def check(manifests: Manifests) -> list[ManifestError]:
    errors: list[ManifestError] = []
    for manifest in _all(manifests):
        for ref in references(manifest):
            if ref.key not in manifests.get(ref.kind, {}):
                known = ", ".join(sorted(manifests.get(ref.kind, {}))) or "none"
                message = f"no {ref.kind} manifest {ref.key!r} (known: {known})"
                errors.append(manifest.source.error(_where(manifest, ref), message))
        errors += BY_NAME[manifest.kind].check_graph(manifest, manifests)
    errors += _cycles(manifests)
    return errors


def order(manifests: Manifests) -> list[Manifest]:
    """Every manifest, each after those it references (a cycle is left as found)."""
    done: set[Target] = set()
    ordered: list[Manifest] = []

    def visit(manifest: Manifest, path: set[Target]) -> None:
        node = (manifest.kind, manifest.key)
        if node in done or node in path:
            return
        for ref in references(manifest):
            target = manifests.get(ref.kind, {}).get(ref.key)
            if target is not None:
                visit(target, path | {node})
        done.add(node)
        ordered.append(manifest)

    for manifest in _all(manifests):
        visit(manifest, set())
    return ordered


def _cycles(manifests: Manifests) -> Iterator[ManifestError]:
    reported: set[frozenset[Target]] = set()
    for manifest in _all(manifests):
        cycle = _cycle_from(manifest, manifests)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            names = " -> ".join(f"{kind} {key}" for kind, key in [*cycle, cycle[0]])
            ref = next(r for r in references(manifest) if (r.kind, r.key) in cycle)
            yield manifest.source.error(_where(manifest, ref), f"reference cycle: {names}")


def _cycle_from(start: Manifest, manifests: Manifests) -> list[Target] | None:
    """The cycle through `start`, if its references lead back to it."""
    origin = (start.kind, start.key)
    stack = [(start, [origin])]
    seen: set[Target] = set()
    while stack:
        manifest, path = stack.pop()
        for ref in references(manifest):
            node = (ref.kind, ref.key)
            if node == origin:
                return path
            target = manifests.get(ref.kind, {}).get(ref.key)
            if target is not None and node not in seen:
                seen.add(node)
                stack.append((target, [*path, node]))
    return None


def _where(manifest: Manifest, ref: Ref) -> tuple[str | int, ...]:
    """The reference's place in the file: `{agent: x}`'s key, or the field holding a key
    the manifest wrote bare (a deployment's `environment: default`)."""
    written = (*ref.at, ref.kind)
    return written if written in manifest.source.keys else ref.at


def _all(manifests: Manifests) -> Iterator[Manifest]:
    for kind in sorted(manifests, key=lambda name: rank(name) if name in BY_NAME else len(KINDS)):
        yield from manifests[kind].values()
