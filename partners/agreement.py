"""The program agreement the owner accepts in the portal. A new version means a new template
(templates/partners/agreement/<version>.html); acceptances record the version they accepted."""

AGREEMENT_VERSION = "2026-11"


def agreement_template(version: str = AGREEMENT_VERSION) -> str:
    return f"partners/agreement/{version}.html"
