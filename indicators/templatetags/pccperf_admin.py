"""Admin template tags: ``{% write_links ret %}`` renders the links to write
a return's quarter's commentary and executive summary
(indicators/admin/writing_links.py)."""

from django import template

from indicators.admin.writing_links import write_links as links_for

register = template.Library()


@register.inclusion_tag("admin/indicators/return/_write_links.html", takes_context=True)
def write_links(context, ret):
    return links_for(context["request"].user, ret)


@register.inclusion_tag("admin/_quarter_home.html", takes_context=True)
def quarter_home(context):
    """The admin home's panel for an analyst: this quarter's status for each
    of their forces, with the grid, import, quarter status and audit trail."""
    from indicators.admin.home import quarter_home as panel

    return panel(context["request"].user)
