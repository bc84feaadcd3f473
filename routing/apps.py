from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "Routing and capacity"

    def ready(self) -> None:
        # Packages may not import routing (layering), so routing hands it the coverage rule.
        from packages.coverage import coverage_check_register
        from routing.services.coverage import manifest_places_outside_coverage

        coverage_check_register(manifest_places_outside_coverage)
