"""Parsing untrusted XML from a bank safely, and reading it with line numbers.

A bank file never needs a DTD, so any DOCTYPE or ENTITY declaration is refused outright: that
closes entity-expansion attacks (billion laughs) and external entities (XXE) before libxml2 sees
the file. The parser is hardened as well, for inputs the byte scan cannot see (UTF-16): entities
are not resolved, no DTD is loaded, nothing is fetched from the network, and libxml2's limits for
huge documents stay on.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from backend.payments.bankfiles.statement import StatementError

# lxml ships no type information: an element is Any to mypy, named here for the reader.
Element = Any

_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")


def _safe_parser() -> Any:
    # A parser per call: lxml parsers keep state and must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes) -> Element:
    """The root element of a bank's XML file, or StatementError with the line at fault."""
    for marker in _FORBIDDEN:
        at = data.find(marker)
        if at >= 0:
            raise StatementError(
                data.count(b"\n", 0, at) + 1,
                "XML",
                "DTD and entity declarations are not allowed in a bank file (entity expansion attack?)",
            )
    try:
        root = etree.fromstring(data, _safe_parser())
    except etree.XMLSyntaxError as error:
        raise StatementError(error.lineno, "XML", f"not well-formed: {error.msg}") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise StatementError(1, "XML", "DTD and entity declarations are not allowed in a bank file")
    return root


def namespace_of(root: Element) -> str:
    return str(etree.QName(root).namespace or "")


def local_name(element: Element) -> str:
    return str(etree.QName(element).localname)


class Reader:
    """Finds elements by a plain path ("Ntry/Amt") inside one ISO 20022 namespace."""

    def __init__(self, namespace: str) -> None:
        self._ns = namespace

    def _path(self, path: str) -> str:
        return "/".join(f"{{{self._ns}}}{step}" for step in path.split("/"))

    def find(self, element: Element, path: str) -> Element | None:
        return element.find(self._path(path))

    def findall(self, element: Element, path: str) -> list[Element]:
        return list(element.findall(self._path(path)))

    def text(self, element: Element, path: str) -> str | None:
        """The stripped text at path, or None when the element is missing or empty."""
        found = self.find(element, path)
        if found is None or found.text is None:
            return None
        text = str(found.text).strip()
        return text or None

    def first_text(self, element: Element, *paths: str) -> str | None:
        for path in paths:
            text = self.text(element, path)
            if text is not None:
                return text
        return None

    def texts(self, element: Element, path: str) -> list[str]:
        found = (str(e.text).strip() for e in self.findall(element, path) if e.text is not None)
        return [text for text in found if text]


def line_of(element: Element) -> int:
    return int(element.sourceline or 0)
