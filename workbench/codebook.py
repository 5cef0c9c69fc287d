"""The codebook: journey stages (ordered), touchpoints, emotions, pain-point and goal categories.

A codebook is a YAML file::

    name: Default customer journey
    journey: default              # journey type, one of JOURNEY_TYPES for the built-ins
    version: 1
    description: ...              # optional
    stages:                       # ORDERED: the order is the order on the journey map
      - code: awareness           # lower-case slug: a-z, 0-9, _
        label: Awareness
        description: ...
        cues: [heard about, advert, word of mouth]
        examples:
          - text: A friend told me about them at work.
            touchpoints: [in_person]   # optional; stage defaults to the enclosing stage
            emotion: neutral           # optional
    touchpoints: [{code, label, description, cues}, ...]
    emotions: [{code, label, valence: negative|neutral|positive, cues}, ...]
    pain_points: [{code, label, cues, strong_cues}, ...]   # strong_cues flag a pain point alone
    goals: [{code, label, cues}, ...]   # or a plain list of cue phrases

Cues are phrases matched as stemmed whole words (``install`` matches "installed" and
"installation", ``app`` never matches "happy"); ``*`` inside a cue stands for any one word.

Built-in codebooks, one per journey type (``JOURNEY_TYPES``):

* ``default``    – the end-to-end customer lifecycle: awareness → consideration → decision →
  purchase → onboarding/usage → support → loyalty/advocacy → renewal/cancellation;
* ``onboarding`` – welcome/onboarding: sign-up → welcome → setup → first use → first bill → settled;
* ``query``      – a service query: need arises → search for an answer → contact → answer →
  follow-up;
* ``complaint``  – complaint or return: problem → complain → acknowledgement → investigation →
  resolution → aftermath;
* ``renewal``    – contract renewal and cancellation: renewal notice → review options →
  negotiate/retention → decide → switch or stay → after;
* ``ecommerce``  – online shopping (retail, fashion): awareness → browsing → choosing size and
  options → ordering → delivery and use → returns and support → loyalty and reviews →
  cancellation; with retail touchpoints (store, delivery, chat) and pain points (fit and sizing,
  quality, not as pictured, returns, delivery, price, customer service).

The service built-ins share the same touchpoints, emotions, pain points and goals; ``ecommerce``
shares the emotions and has retail touchpoints, pain points and goals. A study overrides the
built-in default with a ``codebook.yml`` at its root (:func:`study_codebook`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import ConfigError

JOURNEY_TYPES = ("default", "onboarding", "query", "complaint", "renewal", "ecommerce")
STUDY_CODEBOOK_FILE = "codebook.yml"
SECTIONS = ("stages", "touchpoints", "emotions", "pain_points", "goals")
VALENCES = ("negative", "neutral", "positive")
TOP_LEVEL_KEYS = ("name", "journey", "version", "description", *SECTIONS)
_ITEM_KEYS = {
    "stages": ("code", "label", "description", "cues", "examples"),
    "touchpoints": ("code", "label", "description", "cues"),
    "emotions": ("code", "label", "description", "valence", "cues"),
    "pain_points": ("code", "label", "description", "cues", "strong_cues"),
    "goals": ("code", "label", "description", "cues"),
}
_EXAMPLE_KEYS = ("text", "stage", "touchpoints", "emotion")
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_WORD_RE = re.compile(r"[^\W_]", re.UNICODE)
# libyaml's C loader when available (about 10x faster); same safe semantics as SafeLoader.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CodebookError(ConfigError):
    """A codebook file is invalid; the message names the file, line, key and what was expected.

    Examples
    --------
    >>> str(CodebookError("codebook.yml", "duplicate code 'x'", line=4, key="stages[1].code"))
    "codebook.yml, line 4, stages[1].code: duplicate code 'x'"
    """

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        line: int | None = None,
        key: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.source, self.problem, self.line, self.key, self.expected = (
            str(source),
            problem,
            line,
            key,
            expected,
        )
        where = [self.source]
        if line is not None:
            where.append(f"line {line}")
        if key:
            where.append(key)
        message = f"{', '.join(where)}: {problem}"
        if expected:
            message += f" (expected {expected})"
        super().__init__(message)


@dataclass(frozen=True)
class Example:
    """A coded example sentence of a stage (used to show coders and to seed classifiers)."""

    text: str
    stage: str
    touchpoints: tuple[str, ...] = ()
    emotion: str | None = None


@dataclass(frozen=True)
class Code:
    """One code of a section: a stage, touchpoint, emotion, pain-point or goal category."""

    code: str
    label: str
    description: str = ""
    cues: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    valence: str | None = None
    strong_cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codebook:
    """A validated codebook. Build it with :func:`load_codebook` or :func:`builtin_codebook`.

    Examples
    --------
    >>> cb = builtin_codebook()
    >>> cb.stage_codes[:3], cb.stage_order["support"]
    (['awareness', 'consideration', 'decision'], 5)
    """

    name: str
    journey: str
    stages: tuple[Code, ...]
    touchpoints: tuple[Code, ...] = ()
    emotions: tuple[Code, ...] = ()
    pain_points: tuple[Code, ...] = ()
    goals: tuple[Code, ...] = ()
    source: str = field(default="", compare=False)
    version: str = "1"
    description: str = ""

    @property
    def stage_codes(self) -> list[str]:
        """Stage codes in journey order."""
        return [c.code for c in self.stages]

    @property
    def stage_order(self) -> dict[str, int]:
        """Stage code → 0-based position on the journey."""
        return {c.code: i for i, c in enumerate(self.stages)}

    def codes(self, section: str) -> list[str]:
        """Codes of one section (``"stages"``, ``"touchpoints"``, ``"emotions"``, ...)."""
        if section not in SECTIONS:
            raise KeyError(f"unknown codebook section {section!r}; expected one of {SECTIONS}")
        return [c.code for c in getattr(self, section)]

    def labels(self, section: str) -> dict[str, str]:
        """Code → the label a reader sees in one section (``social_media`` → ``Social media``)."""
        return {c.code: c.label for c in getattr(self, section)} if section in SECTIONS else {}

    @property
    def valence(self) -> dict[str, str]:
        """Emotion code → valence (negative, neutral, positive)."""
        return {c.code: c.valence or "neutral" for c in self.emotions}

    def to_dict(self) -> dict[str, Any]:
        """The content as plain data, in file order (what :func:`codebook_to_yaml` writes)."""
        out: dict[str, Any] = {"name": self.name, "journey": self.journey, "version": self.version}
        if self.description:
            out["description"] = self.description
        for section in SECTIONS:
            out[section] = [_code_to_dict(c, section) for c in getattr(self, section)]
        return out

    @property
    def hash(self) -> str:
        """First 16 hex digits of the SHA-256 of the canonical JSON content (source excluded)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _code_to_dict(code: Code, section: str) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code.code, "label": code.label}
    if code.description:
        out["description"] = code.description
    if section == "emotions":
        out["valence"] = code.valence
    out["cues"] = list(code.cues)
    if section == "pain_points":
        out["strong_cues"] = list(code.strong_cues)
    if section == "stages":
        out["examples"] = [
            {
                "text": e.text,
                "stage": e.stage,
                **({"touchpoints": list(e.touchpoints)} if e.touchpoints else {}),
                **({"emotion": e.emotion} if e.emotion else {}),
            }
            for e in code.examples
        ]
    return out


# --- parsing --------------------------------------------------------------------------------


def _line_index(text: str, source: str) -> dict[tuple, int]:
    """Map each key path (("stages", 0, "code"), ...) to its 1-based line; reject duplicate keys."""
    lines: dict[tuple, int] = {}

    def walk(node: yaml.Node, path: tuple) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise CodebookError(
                        source,
                        f"key {key!r} appears twice (first on line {seen[key]})",
                        line=line,
                        key=_key_name((*path, key)),
                    )
                seen[key] = line
                lines[(*path, key)] = line
                walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    root = yaml.compose(text, Loader=_SafeLoader)
    if root is not None:
        walk(root, ())
    return lines


def _key_name(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Parser:
    """Validate the plain data of one codebook file, raising errors that name line and key."""

    def __init__(self, source: str, lines: dict[tuple, int]) -> None:
        self.source, self.lines = source, lines

    def fail(self, path: tuple, problem: str, expected: str | None = None) -> CodebookError:
        line = None
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                line = self.lines[path[:n]]
                break
        return CodebookError(
            self.source, problem, line=line, key=_key_name(path) or None, expected=expected
        )

    def text(self, value: Any, path: tuple, *, allow_empty: bool = False) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(path, f"wrong type {type(value).__name__}", "a text")
        value = str(value).strip()
        if not value and not allow_empty:
            raise self.fail(path, "empty text", "a non-empty text")
        return value

    def mapping(self, value: Any, path: tuple, allowed: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(path, f"wrong type {type(value).__name__}", "a mapping")
        for key in value:
            if key not in allowed:
                raise self.fail((*path, key), f"unknown key {key!r}", f"one of {list(allowed)}")
        return value

    def listing(self, value: Any, path: tuple) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, f"wrong type {type(value).__name__}", "a list")
        return value

    def cues(self, value: Any, path: tuple) -> tuple[str, ...]:
        out = []
        for i, cue in enumerate(self.listing(value, path)):
            cue = self.text(cue, (*path, i))
            if not _WORD_RE.search(cue):
                raise self.fail((*path, i), f"cue {cue!r} has no word", "letters or digits")
            if cue.split()[0] == "*":
                raise self.fail((*path, i), f"cue {cue!r} starts with '*'", "a word first")
            out.append(cue)
        return tuple(dict.fromkeys(out))

    def section(self, data: dict, name: str) -> list[tuple[dict, tuple]]:
        items = self.listing(data.get(name), (name,))
        if name == "goals" and items and all(isinstance(x, str) for x in items):
            return [({"code": "goal", "label": "Goal", "cues": items}, (name,))]
        out, seen, cue_owner = [], {}, {}
        for i, item in enumerate(items):
            path = (name, i)
            item = self.mapping(item, path, _ITEM_KEYS[name])
            if "code" not in item:
                raise self.fail(path, "missing key 'code'", "code: <lower_case_slug>")
            code = self.text(item["code"], (*path, "code"))
            if not _CODE_RE.match(code):
                raise self.fail((*path, "code"), f"invalid code {code!r}", "a-z, 0-9 and _")
            if code in seen:
                raise self.fail(
                    (*path, "code"),
                    f"duplicate code {code!r} in {name} (first at {name}[{seen[code]}])",
                    "each code once per section",
                )
            seen[code] = i
            for key in ("cues", "strong_cues"):
                for j, cue in enumerate(self.listing(item.get(key), (*path, key))):
                    norm = " ".join(str(cue).lower().split())
                    other = cue_owner.setdefault(norm, code)
                    if other != code:
                        raise self.fail(
                            (*path, key, j),
                            f"cue {cue!r} is given for both {other!r} and {code!r} in {name}",
                            "each cue under one code per section",
                        )
            out.append((item, path))
        return out

    def parse(self, data: Any) -> Codebook:
        data = self.mapping(data, (), TOP_LEVEL_KEYS)
        if "name" not in data:
            raise self.fail((), "missing key 'name'", "name: <codebook name>")
        if "stages" not in data:
            raise self.fail((), "missing key 'stages'", "an ordered list of stages")
        sections: dict[str, list[tuple[dict, tuple]]] = {s: self.section(data, s) for s in SECTIONS}
        if not sections["stages"]:
            raise self.fail(("stages",), "the stage list is empty", "at least one stage")
        valid = {s: [item["code"] for item, _ in sections[s]] for s in SECTIONS}
        built: dict[str, tuple[Code, ...]] = {}
        for name in SECTIONS:
            built[name] = tuple(self.code(item, path, name, valid) for item, path in sections[name])
        return Codebook(
            name=self.text(data["name"], ("name",)),
            journey=self.text(data.get("journey", "default"), ("journey",)),
            version=self.text(data.get("version", "1"), ("version",)),
            description=self.text(data.get("description", ""), ("description",), allow_empty=True),
            source=self.source,
            **built,
        )

    def code(self, item: dict, path: tuple, section: str, valid: dict[str, list[str]]) -> Code:
        code = str(item["code"])
        valence = None
        if section == "emotions":
            valence = item.get("valence")
            if valence not in VALENCES:
                raise self.fail(
                    (*path, "valence"), f"invalid valence {valence!r} for {code!r}", str(VALENCES)
                )
        label = item.get("label", code.replace("_", " ").capitalize())
        return Code(
            code=code,
            label=self.text(label, (*path, "label")),
            description=self.text(
                item.get("description", ""), (*path, "description"), allow_empty=True
            ),
            cues=self.cues(item.get("cues"), (*path, "cues")),
            strong_cues=self.cues(item.get("strong_cues"), (*path, "strong_cues")),
            valence=valence,
            examples=tuple(
                self.example(x, (*path, "examples", i), code, valid)
                for i, x in enumerate(self.listing(item.get("examples"), (*path, "examples")))
            ),
        )

    def example(self, item: Any, path: tuple, stage: str, valid: dict[str, list[str]]) -> Example:
        item = self.mapping(item, path, _EXAMPLE_KEYS)
        if "text" not in item:
            raise self.fail(path, "example has no 'text'", "text: <an example sentence>")
        text = self.text(item["text"], (*path, "text"))
        which = f"example {text[:40]!r}"

        def check(value: Any, key: str, section: str) -> str:
            value = self.text(value, (*path, key))
            if value not in valid[section]:
                raise self.fail(
                    (*path, key),
                    f"{which} names unknown {section[:-1] if section != 'emotions' else 'emotion'}"
                    f" code {value!r}",
                    f"one of {valid[section]}",
                )
            return value

        tps = item.get("touchpoints") or []
        if isinstance(tps, str):
            tps = [tps]
        tps = self.listing(tps, (*path, "touchpoints"))
        return Example(
            text=text,
            stage=check(item.get("stage", stage), "stage", "stages"),
            touchpoints=tuple(check(t, "touchpoints", "touchpoints") for t in tps),
            emotion=check(item["emotion"], "emotion", "emotions") if item.get("emotion") else None,
        )


# --- public API -----------------------------------------------------------------------------


def parse_codebook(text: str, source: str = "<string>") -> Codebook:
    """Parse and validate codebook YAML text; ``source`` names it in error messages."""
    try:
        lines = _line_index(text, source)
        data = yaml.load(text, Loader=_SafeLoader)  # = yaml.safe_load, via libyaml when present
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise CodebookError(
            source,
            f"not valid YAML: {exc.problem or exc.context}",
            line=mark.line + 1 if mark else None,
        ) from exc
    except yaml.YAMLError as exc:
        raise CodebookError(source, f"not valid YAML: {exc}") from exc
    if data is None:
        raise CodebookError(source, "the file is empty", expected="a codebook mapping")
    return _Parser(source, lines).parse(data)


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook YAML file.

    Raises
    ------
    CodebookError
        When the file is missing, is not valid YAML or breaks a rule; the message names the
        file, the line, the key and what was expected.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CodebookError(str(path), "file not found", expected="a codebook YAML file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(str(path), f"cannot read: {exc}", expected="UTF-8 YAML") from exc
    return parse_codebook(text, str(path))


@lru_cache(maxsize=len(JOURNEY_TYPES))
def builtin_codebook(journey: str = "default") -> Codebook:
    """Return a built-in codebook by journey type (see ``JOURNEY_TYPES``).

    Examples
    --------
    >>> builtin_codebook("complaint").stage_codes[0]
    'problem'
    """
    if journey not in JOURNEY_TYPES:
        raise CodebookError(
            f"builtin:{journey}", f"unknown journey type {journey!r}", expected=str(JOURNEY_TYPES)
        )
    resource = resources.files("workbench").joinpath("data", "codebooks", f"{journey}.yml")
    return parse_codebook(resource.read_text(encoding="utf-8"), f"builtin:{journey}")


def study_codebook(project_root: str | Path) -> Codebook:
    """The study's codebook: ``<project_root>/codebook.yml`` if present, else the built-in default.

    A ``codebook.yaml`` without a ``codebook.yml`` is refused rather than silently ignored.
    """
    root = Path(project_root)
    path = root / STUDY_CODEBOOK_FILE
    if path.is_file():
        return load_codebook(path)
    wrong = root / "codebook.yaml"
    if wrong.is_file():
        raise CodebookError(
            str(wrong), "the study codebook must be named codebook.yml", expected=str(path)
        )
    return builtin_codebook("default")


class _Dumper(yaml.SafeDumper):
    """Block style for structure, flow style for short lists of cue phrases."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = bool(data) and all(isinstance(x, str) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def codebook_to_yaml(cb: Codebook) -> str:
    """Render a codebook as commented YAML that :func:`load_codebook` reads back unchanged."""
    header = (
        f"# Journey Workbench codebook: {cb.name} (journey type: {cb.journey}).\n"
        f"# Content hash {cb.hash}; written from {cb.source or 'memory'}.\n"
        "# Stages are ORDERED (journey order). Codes are lower-case slugs (a-z, 0-9, _).\n"
        "# Cues are phrases matched as stemmed whole words: 'install' also matches 'installed'\n"
        "# and 'installation'; 'app' never matches 'happy'; '*' stands for any one word.\n"
        "# Emotions need a valence (negative, neutral, positive). A pain-point 'strong_cue'\n"
        "# flags a pain point on its own; a plain cue only together with negative sentiment.\n"
    )
    body = yaml.dump(
        cb.to_dict(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )
    return header + body


def write_codebook(cb: Codebook, path: str | Path) -> Path:
    """Write ``cb`` as YAML to ``path`` (atomically: a temporary file is renamed into place)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(codebook_to_yaml(cb), encoding="utf-8")
    tmp.replace(path)
    return path
