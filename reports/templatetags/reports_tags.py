from typing import Any

from django import template

register = template.Library()

# Keys of report columns that hold shares (0–1) rather than amounts.
SHARE_SUFFIXES = ("rate", "_sql", "qualified", "touched", "compliance", "roi", "follow_up")


@register.simple_tag
def cell(row: dict[str, Any], key: str) -> str:
    """A table cell as people read it: rates (keys that are shares) as %, None as —."""
    value = row.get(key)
    if value is None:
        return "—"
    if value is True:
        return "✓"
    if value is False:
        return "✗"
    if isinstance(value, float) and (key.endswith(SHARE_SUFFIXES) or key == "from_previous"):
        return f"{value:.0%}"
    if isinstance(value, float) and key.endswith("_lakh"):
        return f"{value:,.2f}"
    return str(value)
