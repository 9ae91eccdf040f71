"""A static rendering beside every widget view, for readers without a kernel or a network.

A stored widget output is only a model id; an HTML export, nbviewer or
GitHub (and JupyterLab for an untrusted notebook) cannot draw it. Jupyter
front ends pick the richest mime type they can render from one output's
bundle, so each widget adds ``text/html`` (the same content as its live view,
made by ``render``) to the bundle ipywidgets gives: JupyterLab with a kernel
shows the widget, every other reader shows the HTML.
"""

from __future__ import annotations


class StaticFallback:
    """Mixin for an ipywidgets class: ``static_html()`` goes into the output as ``text/html``."""

    def static_html(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if data is not None:
            data["text/html"] = f'<div class="genesys-static">{self.static_html()}</div>'
        return bundle
