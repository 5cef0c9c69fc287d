"""Exception types of the workbench.

Every error a researcher can meet is a :class:`WorkbenchError`. Its message says what went wrong,
where (file, line, row or column) and what was expected, so it can be acted on without reading
code. The command line prints the message on one line and exits non-zero.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on purpose."""


class ConfigError(WorkbenchError):
    """A study configuration, codebook or command-line option is invalid."""


class InputError(WorkbenchError):
    """A raw input file cannot be read as expected.

    Parameters
    ----------
    path : str
        The file, as the researcher knows it (relative to ``data/raw`` where possible).
    problem : str
        What is wrong, in plain words.
    line : int, optional
        1-based line number in the decoded text.
    row : int, optional
        1-based data row (for tables, where a row spans several lines).
    column : str, optional
        Column name or 1-based column number.
    expected : str, optional
        What the reader expected to find.

    Examples
    --------
    >>> str(InputError("surveys/a.csv", "ragged row", line=7, expected="12 fields, found 11"))
    'surveys/a.csv, line 7: ragged row (expected 12 fields, found 11)'
    """

    def __init__(
        self,
        path: str,
        problem: str,
        *,
        line: int | None = None,
        row: int | None = None,
        column: str | int | None = None,
        expected: str | None = None,
    ) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.row = row
        self.column = column
        self.expected = expected
        super().__init__(self._format())

    def _format(self) -> str:
        where = [self.path]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(
                f"column {self.column!r}"
                if isinstance(self.column, str)
                else f"column {self.column}"
            )
        message = f"{', '.join(where)}: {self.problem}"
        if self.expected:
            message += f" (expected {self.expected})"
        return message

    def as_dict(self) -> dict[str, object]:
        """Return the error as a JSON-ready mapping for the ingest report."""
        return {
            "path": self.path,
            "problem": self.problem,
            "line": self.line,
            "row": self.row,
            "column": self.column,
            "expected": self.expected,
            "message": str(self),
        }


class EmptyFileError(InputError):
    """The file has no content."""


class DecodeError(InputError):
    """The bytes of a file cannot be decoded as text."""


class UnsupportedFormatError(InputError):
    """No reader handles this file's extension or layout."""


class StoreError(WorkbenchError):
    """The human-code store cannot be read or written."""


class ModelError(WorkbenchError):
    """A saved model is missing, unsafe or built for another codebook."""


class ModelValueError(ModelError, ValueError):
    """A model was given values it cannot use: rows and codes that do not match, a parameter
    out of range. Also a ``ValueError``, which scikit-learn's estimator contract expects."""
