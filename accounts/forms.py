from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    """The switcher in every page's header (templates/base.html)."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
