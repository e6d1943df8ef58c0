"""What the XML readers (GPX, TCX, course GPX) share when they parse a tree with lxml.

The fast byte-level path lives in :mod:`trailstrength.io.xml_points`; these helpers serve the tree path, which
is the reference and the fallback for documents the fast path cannot vouch for.
"""

from __future__ import annotations

from lxml import etree

from trailstrength.io.base import ReaderError


def local_name(tag) -> str:
    """An element's tag without its namespace (``{http://…}trkpt`` -> ``trkpt``); ``""`` for comments."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_tree(data: bytes, what: str, point: str) -> tuple[etree._Element, bool]:
    """Parse a recording's XML, keeping what precedes broken markup.

    Parameters
    ----------
    data
        The document (leading whitespace before the declaration is allowed, as in Strava's TCX).
    what
        ``"GPX"`` or ``"TCX"``, for the error message.
    point
        Local name of the recorded point (``trkpt``, ``Trackpoint``): a document that is not well-formed is kept
        only when the recovering parser finds at least one.

    Returns
    -------
    (root, cut)
        The root element (comments removed) and whether the document was not well-formed.
    """
    text = data.lstrip()
    try:
        return etree.fromstring(text, parser=etree.XMLParser(huge_tree=True, remove_comments=True)), False
    except etree.XMLSyntaxError as err:
        root = etree.fromstring(text, parser=etree.XMLParser(huge_tree=True, recover=True, remove_comments=True))
        if root is None or next(root.iter("{*}" + point, point), None) is None:
            raise ReaderError(f"not well-formed {what} XML ({err})") from None
        return root, True
