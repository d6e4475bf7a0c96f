"""Field-by-field validation of assignment YAML, with errors that say where.

Every error names the file, the problem (or case) and the field, says what
was expected and shows what was found, so an instructor can fix a spec
without reading the grader.
"""

import keyword
import math
import reprlib


class SpecError(Exception):
    """An assignment that cannot be loaded; the message says where and why."""


class Fields:
    """A YAML mapping read one field at a time; unknown fields are errors."""

    def __init__(self, data, where: str, what: str = "spec"):
        if not isinstance(data, dict):
            raise SpecError(
                f"{where}: expected a mapping for the {what}, got {_show(data)}"
            )
        self.data = {str(k): v for k, v in data.items()}
        self.where = where
        self.seen: set[str] = set()

    def raw(self, name: str, default=None):
        self.seen.add(name)
        return self.data.get(name, default)

    def fail(self, name: str, expected: str, value=None):
        found = "" if value is None else f", got {_show(value)}"
        raise SpecError(f"{self.where}: field {name!r}: {expected}{found}")

    def check(self, ok: bool, name: str, expected: str) -> None:
        if not ok:
            self.fail(name, expected, self.data.get(name))

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            known = ", ".join(sorted(self.seen))
            raise SpecError(
                f"{self.where}: unknown field {unknown[0]!r} (known fields: {known})"
            )

    def _get(self, name: str, required: bool, default):
        value = self.raw(name)
        if value is None:
            if required and default is None:
                self.fail(name, "missing; it is required")
            return default
        return value

    def text(self, name: str, default=None) -> str:
        value = self._get(name, True, default)
        self.check(
            isinstance(value, str) and (value.strip() or default == ""),
            name,
            "expected a non-empty string",
        )
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        value = self._get(name, False, [])
        self.check(
            isinstance(value, list) and all(isinstance(v, str) for v in value),
            name,
            "expected a list of strings",
        )
        return tuple(value)

    def identifier(self, name: str, default=None) -> str:
        value = self._get(name, True, default)
        self.check(_is_identifier(value), name, "expected a Python identifier")
        return value

    def filename(self, name: str, default: str) -> str:
        value = self._get(name, False, default)
        self.check(
            isinstance(value, str) and "/" not in value and value.endswith(".py"),
            name,
            "expected the name of a .py file beside the spec",
        )
        return value

    def names(self, name: str, default=None) -> tuple[str, ...]:
        value = self._get(name, True, default)
        self.check(
            isinstance(value, (list, tuple)) and all(map(_is_identifier, value)),
            name,
            "expected a list of Python identifiers",
        )
        self.check(len(set(value)) == len(value), name, "expected no repeated names")
        return tuple(value)

    def subset(self, name: str, of: tuple[str, ...], default) -> tuple[str, ...]:
        value = self.names(name, default=tuple(default))
        self.check(set(value) <= set(of), name, f"expected names among {list(of)}")
        return value

    def choice(self, name: str, options: tuple[str, ...], default=None) -> str:
        value = self._get(name, True, default)
        self.check(value in options, name, f"expected one of {', '.join(options)}")
        return value

    def number(self, name: str, default=None) -> float:
        value = self._get(name, True, default)
        self.check(_is_number(value), name, "expected a finite number")
        return float(value)

    def positive(self, name: str, default=None) -> float:
        value = self.number(name, default)
        self.check(value > 0, name, "expected a positive number")
        return value

    def fraction(self, name: str) -> float:
        value = self.number(name, default=0.0)
        self.check(0 <= value <= 1, name, "expected a fraction between 0 and 1")
        return value

    def integer(self, name: str, default=None) -> int:
        value = self._get(name, True, default)
        self.check(
            type(value) is int and value >= 0, name, "expected a non-negative integer"
        )
        return value

    def flag(self, name: str) -> bool:
        value = self._get(name, False, False)
        self.check(isinstance(value, bool), name, "expected true or false")
        return value

    def shape(self, name: str, required: bool) -> tuple[int, ...] | None:
        value = self._get(name, required, None)
        if value is None:
            return None
        self.check(
            isinstance(value, list)
            and len(value) <= 8
            and all(type(n) is int and 0 <= n <= 4096 for n in value),
            name,
            "expected a list of at most 8 sizes, each 0 to 4096",
        )
        self.check(
            math.prod(value) <= 1 << 22, name, "expected at most 4194304 elements"
        )
        return tuple(value)

    def interval(self, name: str) -> tuple[int, int] | None:
        value = self._get(name, False, None)
        if value is None:
            return None
        self.check(
            isinstance(value, list)
            and len(value) == 2
            and all(type(n) is int for n in value)
            and value[0] < value[1],
            name,
            "expected [low, high) as two integers, low < high",
        )
        return (value[0], value[1])

    def mapping(self, name: str, required=None, allowed=None, default=None) -> dict:
        value = self._get(name, True, default)
        self.check(isinstance(value, dict), name, "expected a mapping")
        keys = set(map(str, value))
        if required is not None and keys != required:
            self.fail(
                name, f"expected exactly the inputs {sorted(required)}", sorted(keys)
            )
        if allowed is not None and not keys <= allowed:
            self.fail(
                name, f"expected only the parameters {sorted(allowed)}", sorted(keys)
            )
        return {str(k): v for k, v in value.items()}

    def function(self, name: str, module, required: bool = True):
        value = self._get(name, required, None)
        if value is None:
            return None
        found = getattr(module, value, None) if _is_identifier(value) else None
        self.check(
            callable(found),
            name,
            f"expected the name of a function in {module.__file__}",
        )
        return found

    def problems(self, name: str) -> list["Fields"]:
        items = as_list(self._get(name, True, None), f"{self.where}: field {name!r}")
        if not items:
            self.fail(name, "expected at least one problem")
        return [
            Fields(item, f"{self.where}: problem {_label(item, i)}", "problem")
            for i, item in enumerate(items)
        ]


def as_list(value, where: str) -> list:
    if not isinstance(value, list):
        raise SpecError(f"{where}: expected a list, got {_show(value)}")
    return value


def as_param(value):
    """Case parameters: lists become tuples, as NumPy's axes and shapes are."""
    return tuple(value) if isinstance(value, list) else value


def require_unique(names: list[str], where: str, what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise SpecError(f"{where}: {what} {name!r} appears twice")
        seen.add(name)


def _label(item, index: int) -> str:
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return repr(item["id"])
    return f"#{index + 1}"


def _is_identifier(value) -> bool:
    return (
        isinstance(value, str) and value.isidentifier() and not keyword.iskeyword(value)
    )


def _is_number(value) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring = 3, 6, 6, 50


def _show(value) -> str:
    """A short rendering that never walks a huge (or alias-shared) value."""
    text = _SHORT.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
