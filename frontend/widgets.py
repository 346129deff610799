"""Django's commonest widget templates, written in Python: the same markup, without a
template render per widget and per ``{% include %}`` (``attrs.html`` in every input, one
template per option of a list). A project page renders about thirty widgets; through the
templates they took about a sixth of its time.

Each function writes what its template writes, from the same ``widget`` context, escaping
and formatting values as a template does (``render_value_in_context``).
``tests/frontend/test_forms.py`` compares every one with Django's own templates. A widget
whose template is not here (or an option whose template is another) is rendered by its
template as usual.
"""

from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape

# How the form renderer's templates render a value: autoescape on, the active language's
# formats, the current time zone.
_CONTEXT = Context(autoescape=True)


def _text(value) -> str:
    """``{{ value }}``"""
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: the value as a string, escaped unless safe."""
    return conditional_escape(str(value))


def attrs(widget) -> str:
    """``django/forms/widgets/attrs.html``"""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in widget["attrs"].items()
        if value is not False
    )


def input_(widget) -> str:
    """``django/forms/widgets/input.html``"""
    kind, name, value = _text(widget["type"]), _text(widget["name"]), widget["value"]
    value = "" if value is None else f' value="{_formatted(value)}"'
    return f'<input type="{kind}" name="{name}"{value}{attrs(widget)}>'


def input_option(widget) -> str:
    """``django/forms/widgets/input_option.html`` (a radio button or a checkbox of a list)"""
    if not widget["wrap_label"]:
        return input_(widget)
    target = widget["attrs"].get("id")
    target = f' for="{_text(target)}"' if target else ""
    # input.html ends with a new line.
    return f"<label{target}>{input_(widget)}\n {_text(widget['label'])}</label>"


def textarea(widget) -> str:
    """``django/forms/widgets/textarea.html``"""
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{attrs(widget)}>\n{value}</textarea>'


SELECT_OPTION = "django/forms/widgets/select_option.html"


def select(widget) -> str | None:
    """``django/forms/widgets/select.html`` with ``select_option.html`` for each option;
    None when an option has a template of its own."""
    parts = [f'<select name="{_text(widget["name"])}"{attrs(widget)}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != SELECT_OPTION:
                return None
            # select_option.html ends with a new line.
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{attrs(option)}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


INPUTS = (
    "checkbox",
    "color",
    "date",
    "datetime",
    "email",
    "file",
    "hidden",
    "input",
    "number",
    "password",
    "search",
    "tel",
    "text",
    "time",
    "url",
)
# Template name → the function that writes its markup.
WRITERS = {
    **{f"django/forms/widgets/{name}.html": input_ for name in INPUTS},
    **{
        f"django/forms/widgets/{name}.html": input_option
        for name in ("input_option", "radio_option", "checkbox_option")
    },
    "django/forms/widgets/textarea.html": textarea,
    "django/forms/widgets/select.html": select,
}
