"""Rules of the packages app that pages of lower apps state in words (the partners' training
page says how long an undo is possible); lower apps cannot import packages, so the words reach
their templates here."""

from django.http import HttpRequest

from packages.services.deliveries import UNDO_WINDOW_TEXT


def delivery_rules(request: HttpRequest) -> dict[str, str]:
    return {"undo_window_text": UNDO_WINDOW_TEXT}
