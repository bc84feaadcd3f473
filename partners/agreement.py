"""The program agreement the owner accepts in the portal. A new version means a new template
(templates/partners/agreement/<version>.html); acceptances record the version they accepted.

A version's text exists in each of AGREEMENT_LANGUAGES: the English original as
<version>.html and each translation as <version>.<language>.html, all with the same content.
The owner reads it in their language; the acceptance records the version (the same whatever
the language) and, in its event, the language of the text that was shown."""

AGREEMENT_VERSION = "2026-11"
AGREEMENT_ORIGINAL_LANGUAGE = "en"
AGREEMENT_LANGUAGES = (AGREEMENT_ORIGINAL_LANGUAGE, "es")


def agreement_language(language: str | None) -> str:
    """The agreement text to show for an active language such as "es" or "es-us": its own
    translation if there is one, else the English original."""
    code = (language or "").split("-")[0].lower()
    return code if code in AGREEMENT_LANGUAGES else AGREEMENT_ORIGINAL_LANGUAGE


def agreement_template(
    version: str = AGREEMENT_VERSION, language: str = AGREEMENT_ORIGINAL_LANGUAGE
) -> str:
    if language == AGREEMENT_ORIGINAL_LANGUAGE:
        return f"partners/agreement/{version}.html"
    return f"partners/agreement/{version}.{language}.html"
